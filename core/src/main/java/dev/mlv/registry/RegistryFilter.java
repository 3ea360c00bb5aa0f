package dev.mlv.registry;

import dev.mlv.errors.MlvException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parser of the registry's search filters (a smaller grammar than runs/search, so not {@code SearchFilter}):
 * clauses joined by {@code AND}; keys {@code name}, {@code tags.<key>} (also {@code tag.}, quoted keys in backticks
 * or double quotes), and for versions {@code run_id}, {@code source_path}, {@code version_number}; comparators
 * {@code =}, {@code !=}, {@code LIKE}, {@code ILIKE}, and {@code IN (…)} for {@code run_id}; numbers for
 * {@code version_number}, quoted strings otherwise.
 */
public final class RegistryFilter {
    /** One comparison; {@code field} is {@code name}, {@code tag}, {@code run_id}, {@code source_path} or {@code version_number}. */
    public record Clause(String field, String tagKey, String op, List<String> values) {
        public String value() {
            return values.get(0);
        }
    }

    private static final Set<String> MODEL_FIELDS = Set.of("name");
    private static final Set<String> VERSION_FIELDS = Set.of("name", "run_id", "source_path", "version_number");

    private final String text;
    private int pos;

    private RegistryFilter(String text) {
        this.text = text;
    }

    public static List<Clause> parseModelFilter(String filter) {
        return new RegistryFilter(filter == null ? "" : filter).parse(MODEL_FIELDS);
    }

    public static List<Clause> parseVersionFilter(String filter) {
        return new RegistryFilter(filter == null ? "" : filter).parse(VERSION_FIELDS);
    }

    private List<Clause> parse(Set<String> fields) {
        List<Clause> out = new ArrayList<>();
        skipWs();
        if (pos >= text.length()) return out;
        while (true) {
            out.add(clause(fields));
            skipWs();
            if (pos >= text.length()) return out;
            String w = word();
            if (!w.equalsIgnoreCase("and")) throw error("Expected 'AND' but found '" + (w.isEmpty() ? rest() : w) + "'");
            skipWs();
        }
    }

    private Clause clause(Set<String> fields) {
        String field;
        String tagKey = null;
        int at = pos;
        String first = ident();
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            if (!first.equalsIgnoreCase("tags") && !first.equalsIgnoreCase("tag")) {
                pos = at;
                throw error("Invalid entity '" + first + "': expected tags.<key>");
            }
            field = "tag";
            tagKey = ident();
            if (tagKey.isEmpty()) throw error("Missing tag key after 'tags.'");
        } else {
            field = first.toLowerCase(Locale.ROOT);
            if (!fields.contains(field)) {
                pos = at;
                throw error("Invalid attribute key '" + first + "'; expected one of " + new java.util.TreeSet<>(fields) + " or tags.<key>");
            }
        }
        skipWs();
        String op = comparator();
        boolean numeric = field.equals("version_number");
        Set<String> allowed = numeric ? Set.of("=", "!=", ">", ">=", "<", "<=")
                : field.equals("run_id") ? Set.of("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
                : Set.of("=", "!=", "LIKE", "ILIKE");
        if (!allowed.contains(op)) throw error("Invalid comparator '" + op + "' for " + field + "; expected one of " + allowed);
        skipWs();
        List<String> values = new ArrayList<>();
        if (op.endsWith("IN")) {
            expect('(');
            while (true) {
                skipWs();
                values.add(quoted());
                skipWs();
                if (peek() == ',') { pos++; continue; }
                expect(')');
                break;
            }
        } else if (numeric) {
            int s = pos;
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) pos++;
            if (s == pos) throw error("Expected a number for version_number");
            values.add(text.substring(s, pos));
        } else {
            values.add(quoted());
        }
        return new Clause(field, tagKey, op, values);
    }

    private String comparator() {
        if (text.startsWith("!=", pos) || text.startsWith("<>", pos)) { pos += 2; return "!="; }
        if (text.startsWith(">=", pos)) { pos += 2; return ">="; }
        if (text.startsWith("<=", pos)) { pos += 2; return "<="; }
        if (text.startsWith("==", pos)) { pos += 2; return "="; }
        char c = peek();
        if (c == '=' || c == '>' || c == '<') { pos++; return String.valueOf(c); }
        String w = word().toUpperCase(Locale.ROOT);
        if (w.equals("NOT")) {
            skipWs();
            if (word().equalsIgnoreCase("IN")) return "NOT IN";
            throw error("Expected IN after NOT");
        }
        if (w.equals("LIKE") || w.equals("ILIKE") || w.equals("IN")) return w;
        throw error("Invalid comparator '" + (w.isEmpty() ? rest() : w) + "'");
    }

    private String ident() {
        char c = peek();
        if (c == '`' || c == '"') return quotedWith(c);
        int s = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) pos++;
        if (s == pos) throw error("Expected a key such as name or tags.<key> but found '" + rest() + "'");
        return text.substring(s, pos);
    }

    private String quoted() {
        char c = peek();
        if (c != '\'' && c != '"') throw error("Expected a quoted string but found '" + rest() + "'");
        return quotedWith(c);
    }

    private String quotedWith(char q) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == q) {
                if (q != '`' && pos < text.length() && text.charAt(pos) == q) { sb.append(q); pos++; continue; }
                return sb.toString();
            }
            sb.append(c);
        }
        pos = start;
        throw error("Unterminated quoted string");
    }

    private String word() {
        int s = pos;
        while (pos < text.length() && Character.isLetter(text.charAt(pos))) pos++;
        return text.substring(s, pos);
    }

    private void expect(char c) {
        if (peek() != c) throw error("Expected '" + c + "' but found '" + rest() + "'");
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWs() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    private String rest() {
        String r = text.substring(Math.min(pos, text.length()));
        return r.length() > 40 ? r.substring(0, 40) : r;
    }

    private MlvException error(String detail) {
        return MlvException.invalid("Invalid filter '" + text + "': " + detail + " at position " + pos);
    }
}
