package dev.mlv.tracking.search;

import dev.mlv.errors.MlvException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parser of MLflow's search grammar: filters ({@code metrics.rmse < 0.5 and params.model = 'cnn'}) and order_by keys
 * ({@code metrics.rmse DESC}). Clauses are joined by {@code AND} only. Keys are {@code <type>.<key>} with the types
 * {@code metric(s)}, {@code param(s)}/{@code parameter(s)}, {@code tag(s)}, {@code attribute(s)}/{@code attr}/{@code run}
 * and {@code dataset(s)}; a key without a type is an attribute; keys with other characters go in double quotes or
 * backticks. Values are numbers or single/double-quoted strings ({@code ''} escapes a quote); {@code IN} and
 * {@code NOT IN} take a parenthesised list of strings.
 *
 * <p>Every syntax or typing error is an {@code INVALID_PARAMETER_VALUE} whose message names the offending token and
 * its 0-based character position in the filter.
 */
public final class SearchFilter {
    /** Run attributes that compare as strings. */
    public static final Set<String> RUN_STRING_ATTRIBUTES =
            Set.of("run_id", "run_name", "status", "user_id", "artifact_uri", "lifecycle_stage");
    /** Run attributes that compare as numbers (milliseconds since the epoch). */
    public static final Set<String> RUN_NUMERIC_ATTRIBUTES = Set.of("start_time", "end_time");
    public static final Set<String> RUN_ATTRIBUTES = union(RUN_STRING_ATTRIBUTES, RUN_NUMERIC_ATTRIBUTES);
    public static final Set<String> EXPERIMENT_STRING_ATTRIBUTES = Set.of("name");
    public static final Set<String> EXPERIMENT_NUMERIC_ATTRIBUTES = Set.of("creation_time", "last_update_time");
    public static final Set<String> EXPERIMENT_ATTRIBUTES = union(EXPERIMENT_STRING_ATTRIBUTES, EXPERIMENT_NUMERIC_ATTRIBUTES);
    /** Experiments can also be ordered by id. */
    public static final Set<String> EXPERIMENT_ORDER_ATTRIBUTES = union(EXPERIMENT_ATTRIBUTES, Set.of("experiment_id"));
    public static final Set<String> DATASET_KEYS = Set.of("name", "digest", "context");
    /** Logged-model attributes that compare as strings ({@code status} by its name, e.g. {@code 'LOGGED_MODEL_READY'}). */
    public static final Set<String> LOGGED_MODEL_STRING_ATTRIBUTES =
            Set.of("model_id", "name", "model_type", "status", "source_run_id");
    /** Logged-model attributes that compare as numbers (milliseconds since the epoch). */
    public static final Set<String> LOGGED_MODEL_NUMERIC_ATTRIBUTES = Set.of("creation_timestamp_ms", "last_updated_timestamp_ms");
    public static final Set<String> LOGGED_MODEL_ATTRIBUTES = union(LOGGED_MODEL_STRING_ATTRIBUTES, LOGGED_MODEL_NUMERIC_ATTRIBUTES);
    private static final Map<String, String> LOGGED_MODEL_ALIASES = Map.of(
            "creation_time", "creation_timestamp_ms", "creation_timestamp", "creation_timestamp_ms",
            "last_updated_timestamp", "last_updated_timestamp_ms");

    private static final Map<String, EntityType> PREFIXES = Map.ofEntries(
            Map.entry("metric", EntityType.METRIC), Map.entry("metrics", EntityType.METRIC),
            Map.entry("param", EntityType.PARAM), Map.entry("params", EntityType.PARAM),
            Map.entry("parameter", EntityType.PARAM), Map.entry("parameters", EntityType.PARAM),
            Map.entry("tag", EntityType.TAG), Map.entry("tags", EntityType.TAG),
            Map.entry("attribute", EntityType.ATTRIBUTE), Map.entry("attributes", EntityType.ATTRIBUTE),
            Map.entry("attr", EntityType.ATTRIBUTE), Map.entry("run", EntityType.ATTRIBUTE),
            Map.entry("dataset", EntityType.DATASET), Map.entry("datasets", EntityType.DATASET));
    private static final Map<String, String> ATTRIBUTE_ALIASES = Map.of(
            "created", "start_time", "lifecycle", "lifecycle_stage", "run_uuid", "run_id");

    private static final Set<Comparator> NUMERIC = Set.of(Comparator.EQ, Comparator.NE, Comparator.GT, Comparator.GE,
            Comparator.LT, Comparator.LE);
    private static final Set<Comparator> STRING = Set.of(Comparator.EQ, Comparator.NE, Comparator.LIKE, Comparator.ILIKE);
    private static final Set<Comparator> STRING_AND_LIST = Set.of(Comparator.EQ, Comparator.NE, Comparator.LIKE,
            Comparator.ILIKE, Comparator.IN, Comparator.NOT_IN);

    private enum Target { RUNS, EXPERIMENTS, LOGGED_MODELS }

    private final String text;
    private final Target target;
    private int pos;

    private SearchFilter(String text, Target target) {
        this.text = text;
        this.target = target;
    }

    /** The clauses of a runs/search filter; null or blank gives an empty list. */
    public static List<Clause> parseRunFilter(String filter) {
        return new SearchFilter(filter == null ? "" : filter, Target.RUNS).parseClauses();
    }

    /** The clauses of an experiments/search filter: {@code name}, {@code creation_time}, {@code last_update_time}, {@code tags.<key>}. */
    public static List<Clause> parseExperimentFilter(String filter) {
        return new SearchFilter(filter == null ? "" : filter, Target.EXPERIMENTS).parseClauses();
    }

    /**
     * The clauses of a logged-models/search filter: the attributes {@link #LOGGED_MODEL_ATTRIBUTES} (also
     * {@code creation_time}, {@code creation_timestamp}, {@code last_updated_timestamp}), {@code metrics.},
     * {@code params.} and {@code tags.} keys; strings also compare with {@code IN} and {@code NOT IN}.
     */
    public static List<Clause> parseLoggedModelFilter(String filter) {
        return new SearchFilter(filter == null ? "" : filter, Target.LOGGED_MODELS).parseClauses();
    }

    /** The key of one logged-models/search order_by entry: an attribute or {@code metrics.<key>}. */
    public static OrderBy parseLoggedModelOrderKey(String fieldName) {
        SearchFilter p = new SearchFilter(fieldName == null ? "" : fieldName, Target.LOGGED_MODELS);
        p.orderBy = true;
        p.skipWs();
        Identifier id = p.parseIdentifier();
        p.skipWs();
        if (!p.atEnd()) throw p.orderError(p.pos, "unexpected '" + p.tokenAt(p.pos) + "'");
        if (id.type != EntityType.ATTRIBUTE && id.type != EntityType.METRIC) {
            throw p.orderError(0, "logged models can be ordered by attributes and metrics.<key> only");
        }
        return new OrderBy(id.type, id.key, true);
    }

    /** The keys of a runs/search order_by list, in order. */
    public static List<OrderBy> parseRunOrderBy(List<String> orderBy) {
        return parseOrderBy(orderBy, Target.RUNS);
    }

    /** The keys of an experiments/search order_by list: {@code name}, {@code experiment_id}, {@code creation_time}, {@code last_update_time}. */
    public static List<OrderBy> parseExperimentOrderBy(List<String> orderBy) {
        return parseOrderBy(orderBy, Target.EXPERIMENTS);
    }

    // ---------------------------------------------------------------- filters

    private List<Clause> parseClauses() {
        List<Clause> clauses = new ArrayList<>();
        skipWs();
        if (atEnd()) return clauses;
        while (true) {
            clauses.add(parseClause());
            skipWs();
            if (atEnd()) return clauses;
            int at = pos;
            String word = readWord();
            if (word.equalsIgnoreCase("and")) {
                skipWs();
                if (atEnd()) throw error(at, "Expected a clause after 'AND'");
                continue;
            }
            if (word.equalsIgnoreCase("or")) {
                throw error(at, "Invalid clause joiner 'OR'", "only AND is supported");
            }
            throw error(at, "Expected 'AND' but found '" + tokenAt(at) + "'");
        }
    }

    private Clause parseClause() {
        int idAt = pos;
        Identifier id = parseIdentifier();
        EntityType type = id.type;
        String key = id.key;
        skipWs();
        int cmpAt = pos;
        Comparator cmp = parseComparator();
        Set<Comparator> allowed = allowedComparators(type, key, idAt);
        if (!allowed.contains(cmp)) {
            String hint = cmp.isList() && type == EntityType.ATTRIBUTE
                    ? " (only the 'run_id' attribute supports IN and NOT IN)" : "";
            throw error(cmpAt, "Invalid comparator '" + cmp.symbol() + "' for " + describe(type, key),
                    "expected one of " + symbols(allowed) + hint);
        }
        skipWs();
        int valAt = pos;
        Value value = cmp.isList() ? parseList() : parseScalar();
        boolean numeric = isNumeric(type, key);
        if (!cmp.isList()) {
            if (numeric && !(value instanceof Value.Number)) {
                throw error(valAt, "Expected a numeric value for " + describe(type, key) + " but found "
                        + tokenAt(valAt));
            }
            if (!numeric && !(value instanceof Value.Text)) {
                throw error(valAt, "Expected a quoted string value for " + describe(type, key)
                        + " (e.g. 'my-value') but found " + tokenAt(valAt));
            }
        }
        return new Clause(type, key, cmp, value);
    }

    private Set<Comparator> allowedComparators(EntityType type, String key, int at) {
        return switch (type) {
            case METRIC -> NUMERIC;
            case PARAM, TAG -> target == Target.LOGGED_MODELS ? STRING_AND_LIST : STRING;
            case DATASET -> STRING_AND_LIST;
            case ATTRIBUTE -> {
                if (isNumeric(type, key)) yield NUMERIC;
                yield target == Target.LOGGED_MODELS || target == Target.RUNS && key.equals("run_id") ? STRING_AND_LIST : STRING;
            }
        };
    }

    private boolean isNumeric(EntityType type, String key) {
        return switch (type) {
            case METRIC -> true;
            case ATTRIBUTE -> switch (target) {
                case RUNS -> RUN_NUMERIC_ATTRIBUTES.contains(key);
                case EXPERIMENTS -> EXPERIMENT_NUMERIC_ATTRIBUTES.contains(key);
                case LOGGED_MODELS -> LOGGED_MODEL_NUMERIC_ATTRIBUTES.contains(key);
            };
            default -> false;
        };
    }

    private Comparator parseComparator() {
        if (atEnd()) throw error(pos, "Expected a comparator but the filter ended");
        char c = text.charAt(pos);
        if (c == '!' && peek(1) == '=') { pos += 2; return Comparator.NE; }
        if (c == '>' && peek(1) == '=') { pos += 2; return Comparator.GE; }
        if (c == '<' && peek(1) == '=') { pos += 2; return Comparator.LE; }
        if (c == '<' && peek(1) == '>') { pos += 2; return Comparator.NE; }
        if (c == '=' && peek(1) == '=') { pos += 2; return Comparator.EQ; }
        if (c == '=') { pos++; return Comparator.EQ; }
        if (c == '>') { pos++; return Comparator.GT; }
        if (c == '<') { pos++; return Comparator.LT; }
        int at = pos;
        if (Character.isLetter(c)) {
            String word = readWord();
            switch (word.toUpperCase(Locale.ROOT)) {
                case "LIKE": return Comparator.LIKE;
                case "ILIKE": return Comparator.ILIKE;
                case "IN": return Comparator.IN;
                case "NOT": {
                    int save = pos;
                    skipWs();
                    String next = readWord();
                    if (next.equalsIgnoreCase("IN")) return Comparator.NOT_IN;
                    pos = save;
                    break;
                }
                default:
                    break;
            }
        }
        throw error(at, "Invalid comparator '" + tokenAt(at) + "'");
    }

    private Value parseScalar() {
        if (atEnd()) throw error(pos, "Expected a value but the filter ended");
        char c = text.charAt(pos);
        if (c == '\'' || c == '"') return new Value.Text(readQuoted(c));
        int at = pos;
        Double n = readNumber();
        if (n == null) throw error(at, "Invalid value '" + tokenAt(at) + "': expected a number or a quoted string");
        return new Value.Number(n);
    }

    private Value parseList() {
        int at = pos;
        if (atEnd() || text.charAt(pos) != '(') {
            throw error(at, "Expected a parenthesised list of quoted strings, e.g. ('a', 'b'), but found "
                    + (atEnd() ? "the end of the filter" : "'" + tokenAt(at) + "'"));
        }
        pos++;
        List<String> values = new ArrayList<>();
        while (true) {
            skipWs();
            int vAt = pos;
            if (atEnd()) throw error(vAt, "Unterminated list: expected ')'");
            char c = text.charAt(pos);
            if (c == ')' && values.isEmpty()) throw error(vAt, "The list of values must not be empty");
            if (c != '\'' && c != '"') throw error(vAt, "Expected a quoted string in the list but found '" + tokenAt(vAt) + "'");
            values.add(readQuoted(c));
            skipWs();
            if (atEnd()) throw error(pos, "Unterminated list: expected ')'");
            char d = text.charAt(pos);
            if (d == ',') { pos++; continue; }
            if (d == ')') { pos++; return new Value.TextList(values); }
            throw error(pos, "Expected ',' or ')' in the list but found '" + tokenAt(pos) + "'");
        }
    }

    // ---------------------------------------------------------------- identifiers

    private record Identifier(EntityType type, String key) {
    }

    private Identifier parseIdentifier() {
        int at = pos;
        if (atEnd()) throw error(at, "Expected a key such as metrics.<name> but the filter ended");
        char c = text.charAt(pos);
        boolean quoted = c == '"' || c == '`';
        String first;
        if (quoted) {
            first = readQuoted(c);
        } else {
            first = readWordChars(false);
            if (first.isEmpty()) throw error(at, "Invalid key '" + tokenAt(at) + "': expected a key such as metrics.<name>");
        }
        if (!atEnd() && text.charAt(pos) == '.') {
            EntityType type = PREFIXES.get(first.toLowerCase(Locale.ROOT));
            if (type == null) {
                throw error(at, "Invalid entity type '" + first + "'", "expected one of metrics, params, tags, attributes, datasets");
            }
            pos++;
            int keyAt = pos;
            String key;
            if (!atEnd() && (text.charAt(pos) == '"' || text.charAt(pos) == '`')) {
                key = readQuoted(text.charAt(pos));
            } else {
                key = readWordChars(true);
            }
            if (key.isEmpty()) throw error(keyAt, "Missing key after '" + first + ".'");
            return canonical(type, key, at);
        }
        return canonical(EntityType.ATTRIBUTE, first, at);
    }

    private Identifier canonical(EntityType type, String key, int at) {
        if (target == Target.EXPERIMENTS && type != EntityType.ATTRIBUTE && type != EntityType.TAG) {
            throw error(at, "Invalid entity type for experiments: only attributes (name, creation_time, "
                    + "last_update_time) and tags.<key> can be searched");
        }
        if (target == Target.LOGGED_MODELS) {
            if (type == EntityType.DATASET) {
                throw error(at, "Invalid entity type for logged models: use the datasets field of the request");
            }
            if (type != EntityType.ATTRIBUTE) return new Identifier(type, key);
            String k = LOGGED_MODEL_ALIASES.getOrDefault(key.toLowerCase(Locale.ROOT), key);
            if (!LOGGED_MODEL_ATTRIBUTES.contains(k)) {
                throw error(at, "Invalid attribute key '" + key + "'", "expected one of " + new java.util.TreeSet<>(LOGGED_MODEL_ATTRIBUTES));
            }
            return new Identifier(type, k);
        }
        if (type == EntityType.ATTRIBUTE) {
            String k = ATTRIBUTE_ALIASES.getOrDefault(key.toLowerCase(Locale.ROOT), key);
            if (target == Target.RUNS && k.equals("Created")) k = "start_time";
            Set<String> valid = target == Target.RUNS ? RUN_ATTRIBUTES
                    : orderBy ? EXPERIMENT_ORDER_ATTRIBUTES : EXPERIMENT_ATTRIBUTES;
            if (!valid.contains(k)) {
                throw error(at, "Invalid attribute key '" + key + "'", "expected one of " + new java.util.TreeSet<>(valid));
            }
            return new Identifier(type, k);
        }
        if (type == EntityType.DATASET && !DATASET_KEYS.contains(key)) {
            throw error(at, "Invalid dataset key '" + key + "'", "expected one of name, digest, context");
        }
        return new Identifier(type, key);
    }

    // ---------------------------------------------------------------- order_by

    private boolean orderBy;

    private static List<OrderBy> parseOrderBy(List<String> orderBy, Target target) {
        List<OrderBy> out = new ArrayList<>();
        if (orderBy == null) return out;
        for (String s : orderBy) {
            if (s == null || s.isBlank()) continue;
            SearchFilter p = new SearchFilter(s, target);
            p.orderBy = true;
            out.add(p.parseOrderByClause());
        }
        return out;
    }

    private OrderBy parseOrderByClause() {
        skipWs();
        int at = pos;
        Identifier id = parseIdentifier();
        if (id.type == EntityType.DATASET) throw orderError(at, "datasets cannot be used in order_by");
        if (target == Target.EXPERIMENTS && id.type != EntityType.ATTRIBUTE) {
            throw orderError(at, "experiments can only be ordered by name, experiment_id, creation_time or last_update_time");
        }
        skipWs();
        boolean asc = true;
        if (!atEnd()) {
            int dirAt = pos;
            String dir = readWord();
            if (dir.equalsIgnoreCase("desc")) asc = false;
            else if (!dir.equalsIgnoreCase("asc")) {
                throw orderError(dirAt, "expected ASC or DESC but found '" + tokenAt(dirAt) + "'");
            }
            skipWs();
            if (!atEnd()) throw orderError(pos, "unexpected '" + tokenAt(pos) + "'");
        }
        return new OrderBy(id.type, id.key, asc);
    }

    private MlvException orderError(int at, String detail) {
        return MlvException.invalid("Invalid order_by clause '" + text + "': " + detail + " at position " + at);
    }

    // ---------------------------------------------------------------- lexing

    private String readQuoted(char quote) {
        int at = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == quote) {
                if (quote != '`' && pos < text.length() && text.charAt(pos) == quote) {
                    sb.append(quote);
                    pos++;
                    continue;
                }
                return sb.toString();
            }
            sb.append(c);
        }
        throw error(at, "Unterminated quoted " + (quote == '\'' ? "string" : "key") + " starting with " + quote);
    }

    /** A run of letters, digits and underscores (and dots when {@code dots}). */
    private String readWordChars(boolean dots) {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (Character.isLetterOrDigit(c) || c == '_' || (dots && c == '.')) pos++;
            else break;
        }
        return text.substring(start, pos);
    }

    private String readWord() {
        int start = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) pos++;
        if (start == pos) {
            return "";
        }
        return text.substring(start, pos);
    }

    private Double readNumber() {
        int start = pos;
        int i = pos;
        if (i < text.length() && (text.charAt(i) == '-' || text.charAt(i) == '+')) i++;
        int digits = 0;
        while (i < text.length() && Character.isDigit(text.charAt(i))) { i++; digits++; }
        if (i < text.length() && text.charAt(i) == '.') {
            i++;
            while (i < text.length() && Character.isDigit(text.charAt(i))) { i++; digits++; }
        }
        if (digits == 0) return null;
        if (i < text.length() && (text.charAt(i) == 'e' || text.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < text.length() && (text.charAt(j) == '-' || text.charAt(j) == '+')) j++;
            int exp = 0;
            while (j < text.length() && Character.isDigit(text.charAt(j))) { j++; exp++; }
            if (exp > 0) i = j;
        }
        if (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_' || text.charAt(i) == '.')) {
            return null;
        }
        pos = i;
        return Double.parseDouble(text.substring(start, i));
    }

    private void skipWs() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private boolean atEnd() {
        return pos >= text.length();
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    /** The token starting at {@code at}, for messages: up to the next whitespace (at most 40 characters). */
    private String tokenAt(int at) {
        if (at >= text.length()) return "";
        int end = at;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && end - at < 40) end++;
        if (end == at) end = at + 1;
        return text.substring(at, end);
    }

    private MlvException error(int at, String detail) {
        return error(at, detail, null);
    }

    private MlvException error(int at, String detail, String hint) {
        return MlvException.invalid(detail + " at position " + at + " in filter '" + text + "'"
                + (hint == null ? "" : ": " + hint));
    }

    private static String describe(EntityType type, String key) {
        return switch (type) {
            case METRIC -> "metric '" + key + "'";
            case PARAM -> "param '" + key + "'";
            case TAG -> "tag '" + key + "'";
            case ATTRIBUTE -> "attribute '" + key + "'";
            case DATASET -> "dataset '" + key + "'";
        };
    }

    private static String symbols(Set<Comparator> set) {
        List<String> out = new ArrayList<>();
        for (Comparator c : Comparator.values()) if (set.contains(c)) out.add(c.symbol());
        return String.join(", ", out);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        java.util.Set<String> s = new java.util.HashSet<>(a);
        s.addAll(b);
        return Set.copyOf(s);
    }
}
