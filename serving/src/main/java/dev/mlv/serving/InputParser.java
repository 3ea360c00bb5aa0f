package dev.mlv.serving;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.client.model.Spec;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses MLflow scoring-protocol bodies (JSON and CSV) into a {@link ScoringInput}. */
public final class InputParser {
    static final Set<String> FORMATS = Set.of("dataframe_split", "dataframe_records", "instances", "inputs");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private InputParser() {
    }

    static MlvException bad(String message) {
        return new MlvException(ErrorCode.BAD_REQUEST, message);
    }

    /** Parses a JSON body; {@code signature} (nullable) decides whether row/column inputs form a table. */
    public static ScoringInput parseJson(byte[] body, ModelSignature signature) {
        ScoringInput fast = fastSplit(body);
        return fast != null ? fast : parseTree(body, signature);
    }

    /** The general path: the body as a JSON tree, every format and every error message. */
    static ScoringInput parseTree(byte[] body, ModelSignature signature) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw bad("Invalid input. Malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw bad("Invalid input. Cannot read JSON body: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) throw bad("Invalid input. Empty request body.");
        if (root.isArray()) {
            throw bad("The input must be a JSON dictionary with exactly one of the input fields "
                    + "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}. Received a list: note that the "
                    + "scoring protocol changed in MLflow 2.0, a bare list is no longer accepted.");
        }
        if (!root.isObject()) throw bad("The input must be a JSON dictionary, got " + root.getNodeType());
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (FORMATS.contains(k)) keys.add(k);
            else if (!k.equals("params")) throw bad("Invalid input. Unknown field '" + k + "'; expected exactly one of "
                    + "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'} and optionally 'params'.");
        }
        if (keys.size() != 1) {
            throw bad("Invalid input. The input must contain exactly one of the fields {'dataframe_split', "
                    + "'dataframe_records', 'instances', 'inputs'}, got " + keys + ".");
        }
        if (root.has("params") && !root.get("params").isObject() && !root.get("params").isNull()) {
            throw bad("Invalid input. 'params' must be a JSON object.");
        }
        String format = keys.get(0);
        JsonNode data = root.get(format);
        boolean columns = signature != null && signature.isColumnBased();
        return switch (format) {
            case "dataframe_split" -> split(data);
            case "dataframe_records" -> records(data, "dataframe_records");
            default -> columns ? rowsOrColumns(data, format, signature) : tensors(data, format);
        };
    }

    /**
     * The common case, {@code {"dataframe_split": {"columns": [...], "data": [[...], ...]}}} with scalar cells, read
     * straight from the bytes with a streaming parser (no tree). Returns null for anything else, including malformed
     * JSON: the general path then parses the body again and gives the same answer or error as always.
     */
    static ScoringInput.Table fastSplit(byte[] body) {
        try (JsonParser p = FACTORY.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            if (p.nextToken() != JsonToken.FIELD_NAME || !"dataframe_split".equals(p.currentName())) return null;
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            List<String> cols = null;
            List<Object[]> rows = null;
            boolean index = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (f.equals("columns") && cols == null) {
                    if (v != JsonToken.START_ARRAY) return null;
                    cols = new ArrayList<>();
                    while ((v = p.nextToken()) == JsonToken.VALUE_STRING) cols.add(p.getText());
                    if (v != JsonToken.END_ARRAY) return null;
                } else if (f.equals("data") && rows == null) {
                    if (v != JsonToken.START_ARRAY) return null;
                    rows = new ArrayList<>(1);
                    Object[] cells = new Object[8];
                    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (v == JsonToken.START_ARRAY) {
                            int n = 0;
                            while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                                if (n == cells.length) cells = Arrays.copyOf(cells, n * 2);
                                if ((cells[n++] = fastCell(p, v)) == NOT_SCALAR) return null;
                            }
                            rows.add(Arrays.copyOf(cells, n));
                        } else {
                            Object c = fastCell(p, v);
                            if (c == NOT_SCALAR) return null;
                            rows.add(new Object[]{c});
                        }
                    }
                } else if (f.equals("index") && !index) {
                    index = true;
                    p.skipChildren();
                } else {
                    return null;
                }
            }
            if (t != JsonToken.END_OBJECT || rows == null) return null;
            if (p.nextToken() != JsonToken.END_OBJECT || p.nextToken() != null) return null;
            return splitTable(cols == null ? new ArrayList<>() : cols, rows);
        } catch (java.io.IOException | RuntimeException e) {
            return null; // the general path reports it
        }
    }

    private static final Object NOT_SCALAR = new Object();

    /** Same conversions as {@link #cell} on a tree node; {@link #NOT_SCALAR} for anything the fast path leaves alone. */
    private static Object fastCell(JsonParser p, JsonToken t) throws java.io.IOException {
        return switch (t) {
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? NOT_SCALAR : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL ? NOT_SCALAR : (Object) p.getDoubleValue();
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> NOT_SCALAR;
        };
    }

    private static ScoringInput.Table split(JsonNode d) {
        if (!d.isObject()) throw bad("Invalid input. 'dataframe_split' must be an object {\"columns\": [...], \"data\": [[...]]}.");
        JsonNode data = d.get("data");
        if (data == null || !data.isArray()) throw bad("Invalid input. 'dataframe_split' needs a 'data' list of rows.");
        List<String> cols = new ArrayList<>();
        JsonNode c = d.get("columns");
        if (c != null) {
            if (!c.isArray()) throw bad("Invalid input. 'dataframe_split.columns' must be a list of names.");
            for (JsonNode n : c) cols.add(n.asText());
        }
        List<Object[]> rows = new ArrayList<>(data.size());
        int i = 0;
        for (JsonNode r : data) {
            if (!r.isArray()) {
                // a single column given as a flat list
                rows.add(new Object[]{cell(r, "data[" + i + "]")});
            } else {
                Object[] row = new Object[r.size()];
                for (int j = 0; j < row.length; j++) row[j] = cell(r.get(j), "data[" + i + "][" + j + "]");
                rows.add(row);
            }
            i++;
        }
        return splitTable(cols, rows);
    }

    /** Checks that the rows of a split table are as wide as each other and as its columns; names columns 0..n-1 when none are given. */
    private static ScoringInput.Table splitTable(List<String> cols, List<Object[]> rows) {
        int width = -1;
        for (int i = 0; i < rows.size(); i++) {
            int w = rows.get(i).length;
            if (width >= 0 && w != width) throw bad("Invalid input. Row " + i + " of 'dataframe_split' has " + w + " values, row 0 has " + width + ".");
            width = w;
        }
        if (cols.isEmpty()) {
            for (int j = 0; j < Math.max(width, 0); j++) cols.add(Integer.toString(j));
        } else if (width >= 0 && width != cols.size()) {
            throw bad("Invalid input. 'dataframe_split' has " + cols.size() + " columns but rows of " + width + " values.");
        }
        return new ScoringInput.Table(cols, rows, false);
    }

    private static ScoringInput.Table records(JsonNode d, String field) {
        if (!d.isArray()) throw bad("Invalid input. '" + field + "' must be a list of {column: value} objects.");
        LinkedHashSet<String> cols = new LinkedHashSet<>();
        for (JsonNode r : d) {
            if (!r.isObject()) throw bad("Invalid input. Every element of '" + field + "' must be a {column: value} object.");
            r.fieldNames().forEachRemaining(cols::add);
        }
        List<String> names = new ArrayList<>(cols);
        List<Object[]> rows = new ArrayList<>(d.size());
        int i = 0;
        for (JsonNode r : d) {
            Object[] row = new Object[names.size()];
            for (int j = 0; j < row.length; j++) {
                JsonNode v = r.get(names.get(j));
                row[j] = v == null ? null : cell(v, field + "[" + i + "]." + names.get(j));
            }
            rows.add(row);
            i++;
        }
        return new ScoringInput.Table(names, rows, false);
    }

    /** {@code instances}/{@code inputs} for a column-based signature: records, a dict of columns, or positional rows. */
    private static ScoringInput.Table rowsOrColumns(JsonNode d, String field, ModelSignature sig) {
        List<String> sigCols = new ArrayList<>();
        for (Spec s : sig.inputs()) sigCols.add(s.name());
        if (d.isObject()) {
            List<String> names = new ArrayList<>();
            List<JsonNode> cols = new ArrayList<>();
            int n = -1;
            for (var it = d.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode v = e.getValue().isArray() ? e.getValue() : JSON.createArrayNode().add(e.getValue());
                if (n >= 0 && v.size() != n) throw bad("Invalid input. Column '" + e.getKey() + "' of '" + field + "' has " + v.size() + " values, others have " + n + ".");
                n = v.size();
                names.add(e.getKey());
                cols.add(v);
            }
            List<Object[]> rows = new ArrayList<>();
            for (int i = 0; i < Math.max(n, 0); i++) {
                Object[] row = new Object[names.size()];
                for (int j = 0; j < row.length; j++) row[j] = cell(cols.get(j).get(i), field + "." + names.get(j) + "[" + i + "]");
                rows.add(row);
            }
            return new ScoringInput.Table(names, rows, false);
        }
        if (!d.isArray()) throw bad("Invalid input. '" + field + "' must be a list of rows or a dict of columns.");
        if (d.size() > 0 && d.get(0).isObject()) return records(d, field);
        List<Object[]> rows = new ArrayList<>();
        int i = 0;
        for (JsonNode r : d) {
            JsonNode row = r.isArray() ? r : JSON.createArrayNode().add(r);
            if (row.size() != sigCols.size()) {
                throw bad("Invalid input. Row " + i + " of '" + field + "' has " + row.size() + " values; the model signature has "
                        + sigCols.size() + " columns " + sigCols + ".");
            }
            Object[] out = new Object[row.size()];
            for (int j = 0; j < out.length; j++) out[j] = cell(row.get(j), field + "[" + i + "][" + j + "]");
            rows.add(out);
            i++;
        }
        return new ScoringInput.Table(sigCols, rows, false);
    }

    private static ScoringInput.Tensors tensors(JsonNode d, String field) {
        Map<String, JsonNode> t = new LinkedHashMap<>();
        if (field.equals("inputs")) {
            if (d.isObject()) d.fields().forEachRemaining(e -> t.put(e.getKey(), e.getValue()));
            else t.put(null, d);
            return new ScoringInput.Tensors(t);
        }
        if (!d.isArray()) throw bad("Invalid input. 'instances' must be a list.");
        if (d.size() > 0 && d.get(0).isObject()) {
            // list of {name: value} rows: stack each name's values
            Map<String, com.fasterxml.jackson.databind.node.ArrayNode> stacked = new LinkedHashMap<>();
            for (JsonNode r : d) {
                if (!r.isObject()) throw bad("Invalid input. Mixed objects and non-objects in 'instances'.");
                r.fields().forEachRemaining(e -> stacked.computeIfAbsent(e.getKey(), k -> JSON.createArrayNode()).add(e.getValue()));
            }
            for (var e : stacked.entrySet()) {
                if (e.getValue().size() != d.size()) throw bad("Invalid input. Tensor '" + e.getKey() + "' is missing in some 'instances'.");
                t.put(e.getKey(), e.getValue());
            }
            return new ScoringInput.Tensors(t);
        }
        t.put(null, d);
        return new ScoringInput.Tensors(t);
    }

    private static Object cell(JsonNode v, String where) {
        if (v == null || v.isNull()) return null;
        if (v.isIntegralNumber()) return v.canConvertToLong() ? (Object) v.asLong() : (Object) v.asDouble();
        if (v.isNumber()) return v.asDouble();
        if (v.isTextual()) return v.asText();
        if (v.isBoolean()) return v.asBoolean();
        throw bad("Invalid input. Value at " + where + " must be a scalar, got " + v.getNodeType().name().toLowerCase() + ".");
    }

    /** Parses {@code text/csv} (first line: column names; RFC 4180 quoting). */
    public static ScoringInput.Table parseCsv(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        List<List<String>> lines = Csv.parse(text);
        if (lines.isEmpty()) throw bad("Invalid input. Empty CSV body: expected a header line with column names.");
        List<String> header = lines.get(0);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            List<String> l = lines.get(i);
            if (l.size() == 1 && l.get(0).isEmpty()) continue;
            if (l.size() != header.size()) {
                throw bad("Invalid input. CSV line " + (i + 1) + " has " + l.size() + " fields, the header has " + header.size() + ".");
            }
            Object[] row = new Object[l.size()];
            for (int j = 0; j < row.length; j++) row[j] = l.get(j).isEmpty() ? null : l.get(j);
            rows.add(row);
        }
        return new ScoringInput.Table(header, rows, true);
    }

    /** Minimal RFC 4180 reader. */
    static final class Csv {
        static List<List<String>> parse(String s) {
            List<List<String>> out = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quoted = false;
            boolean any = false;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            f.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        f.append(c);
                    }
                } else if (c == '"') {
                    quoted = true;
                    any = true;
                } else if (c == ',') {
                    row.add(f.toString().trim());
                    f.setLength(0);
                    any = true;
                } else if (c == '\n' || c == '\r') {
                    if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
                    row.add(f.toString().trim());
                    out.add(row);
                    row = new ArrayList<>();
                    f.setLength(0);
                    any = false;
                } else {
                    f.append(c);
                    any = true;
                }
            }
            if (quoted) throw bad("Invalid input. Unterminated quoted field in CSV.");
            if (any || f.length() > 0) {
                row.add(f.toString().trim());
                out.add(row);
            }
            return out;
        }
    }
}
