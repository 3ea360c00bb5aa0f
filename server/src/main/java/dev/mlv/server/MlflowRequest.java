package dev.mlv.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of an MLflow REST call, read the way MLflow's server reads them: query parameters for GET, a JSON body
 * otherwise (an empty body is {@code {}}; a body that is a JSON string holding JSON, as some old clients send, is
 * decoded once more). Values follow proto-JSON: int64 fields may come as numbers or strings, enums as names or
 * numbers, doubles as numbers or {@code "NaN"}/{@code "Infinity"}/{@code "-Infinity"}.
 *
 * <p>Errors are {@code INVALID_PARAMETER_VALUE} with MLflow's wording, e.g. "Missing value for required parameter
 * 'experiment_id'. See the API docs for more information about request parameters."
 */
public final class MlflowRequest {
    /** Largest JSON body read by default; log-batch passes MLflow's own 1 MiB limit. */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    private static final String BODY_ATTRIBUTE = "mlv.body";
    private static final String ARGS_ATTRIBUTE = "mlv.args";
    /** Largest refused body still read to its end before the refusal is sent (Javalin's own request limit). */
    private static final long DRAIN_MAX_BYTES = 16L * 1024 * 1024;
    private static final String SEE_DOCS = " See the API docs for more information about request parameters.";

    private final ObjectNode fields;

    private MlflowRequest(ObjectNode fields) {
        this.fields = fields;
    }

    /** The request's arguments, parsed once per request (a permission check and the handler share them). */
    public static MlflowRequest of(Context cx, ObjectMapper json) {
        MlflowRequest kept = cx.attribute(ARGS_ATTRIBUTE);
        if (kept != null) return kept;
        MlflowRequest parsed = of(cx, json, DEFAULT_MAX_BODY_BYTES, null);
        cx.attribute(ARGS_ATTRIBUTE, parsed);
        return parsed;
    }

    /**
     * Reads the request; a body above {@code maxBodyBytes} is rejected with {@code tooLargeMessage} (or a generic
     * message when null) before it is parsed.
     */
    public static MlflowRequest of(Context cx, ObjectMapper json, long maxBodyBytes, String tooLargeMessage) {
        if (cx.method() == HandlerType.GET) return new MlflowRequest(fromQuery(cx));
        byte[] body = readBody(cx, maxBodyBytes, tooLargeMessage);
        ObjectNode fields = parseBody(body, json);
        // some clients send a DELETE's (or a PATCH's) arguments as query parameters: they fill what the body lacks
        if (cx.req().getQueryString() != null) {
            fromQuery(cx).fields().forEachRemaining(e -> {
                if (!fields.has(e.getKey())) fields.set(e.getKey(), e.getValue().isArray() ? e.getValue().get(0) : e.getValue());
            });
        }
        return new MlflowRequest(fields);
    }

    /**
     * Reads the raw body of a non-GET request, refusing one above {@code maxBodyBytes} as {@link #of(Context,
     * ObjectMapper, long, String)} does; for handlers with a faster reader of their own (log-batch), which fall back to
     * {@link #ofBody} for what it does not read.
     */
    public static byte[] body(Context cx, long maxBodyBytes, String tooLargeMessage) {
        return readBody(cx, maxBodyBytes, tooLargeMessage);
    }

    /** The request of a body read with {@link #body}. */
    public static MlflowRequest ofBody(byte[] body, ObjectMapper json) {
        return new MlflowRequest(parseBody(body, json));
    }

    /** For tests and callers holding a parsed body. */
    public static MlflowRequest ofJson(ObjectNode fields) {
        return new MlflowRequest(fields);
    }

    /**
     * Query parameters from the raw query string, decoded once ({@code +} is a space) with strict UTF-8: a
     * percent-escape that is not valid UTF-8 is refused rather than turned into replacement characters.
     */
    private static ObjectNode fromQuery(Context cx) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        String query = cx.req().getQueryString();
        if (query == null || query.isEmpty()) return node;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String key = decodeQueryPart(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeQueryPart(pair.substring(eq + 1));
            JsonNode existing = node.get(key);
            if (existing == null) {
                node.put(key, value);
            } else if (existing.isArray()) {
                ((ArrayNode) existing).add(value);
            } else {
                ArrayNode arr = node.putArray(key);
                arr.add(existing.textValue());
                arr.add(value);
            }
        }
        return node;
    }

    static String decodeQueryPart(String raw) {
        if (raw.indexOf('%') < 0) return raw.replace('+', ' ');
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()
                    && Character.digit(raw.charAt(i + 1), 16) >= 0 && Character.digit(raw.charAt(i + 2), 16) >= 0) {
                bytes.write(Character.digit(raw.charAt(i + 1), 16) * 16 + Character.digit(raw.charAt(i + 2), 16));
                i += 2;
            } else {
                bytes.writeBytes(String.valueOf(c == '+' ? ' ' : c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw MlvException.invalid("Invalid query string: percent-escapes in '" + raw + "' are not valid UTF-8.");
        }
    }

    /**
     * The body, read once and kept with the request: a permission check that reads the arguments before the handler
     * does leaves the handler the same bytes.
     */
    private static byte[] readBody(Context cx, long max, String tooLargeMessage) {
        byte[] kept = cx.attribute(BODY_ATTRIBUTE);
        if (kept != null) {
            if (kept.length > max) throw tooLarge(kept.length, max, tooLargeMessage);
            return kept;
        }
        long declared = cx.req().getContentLengthLong();
        if (declared > max) {
            drain(cx, declared);
            throw tooLarge(declared, max, tooLargeMessage);
        }
        try (InputStream in = cx.req().getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (bytes.length > max) throw tooLarge(-1, max, tooLargeMessage);
            cx.attribute(BODY_ATTRIBUTE, bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the request body", e);
        }
    }

    /**
     * Reads and drops a refused body of up to {@link #DRAIN_MAX_BYTES}, so that a client still sending it reads the
     * 400 that says why, instead of a connection reset in the middle of its write.
     */
    private static void drain(Context cx, long declared) {
        if (declared > DRAIN_MAX_BYTES) return;
        try (InputStream in = cx.req().getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException ignored) {
            // the client went away: nobody reads the answer either
        }
    }

    private static MlvException tooLarge(long size, long max, String message) {
        if (message != null) return MlvException.invalid(size >= 0 ? message + ", got payload of size " + size + "." : message + ".");
        return MlvException.invalid("Request body too large: at most " + max + " bytes are accepted.");
    }

    static ObjectNode parseBody(byte[] body, ObjectMapper json) {
        if (isBlank(body)) return JsonNodeFactory.instance.objectNode();
        try {
            JsonNode node = json.readTree(body); // from the bytes: no copy of a large body into a String first
            if (node != null && node.isTextual()) node = json.readTree(node.textValue());
            if (node == null || node.isNull() || node.isMissingNode()) return JsonNodeFactory.instance.objectNode();
            if (!node.isObject()) throw MlvException.invalid("Invalid request body: expected a JSON object, got " + node.getNodeType().name().toLowerCase() + ".");
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw MlvException.invalid("Invalid JSON in the request body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw MlvException.invalid("Invalid JSON in the request body: " + e.getMessage());
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t' && b != '\f' && b != 0x0B) return false;
        }
        return true;
    }

    public ObjectNode fields() {
        return fields;
    }

    /** True when the field is present and not null (an empty string counts as present). */
    public boolean has(String name) {
        JsonNode n = fields.get(name);
        return n != null && !n.isNull();
    }

    // ---- strings

    /** The string value, or null when absent. Numbers and booleans are accepted as their text. */
    public String string(String name) {
        return asString(fields.get(name), name);
    }

    /** The string value; absent, null or empty is MLflow's "Missing value for required parameter" error. */
    public String requiredString(String name) {
        String s = string(name);
        if (s == null || s.isEmpty()) throw missing(name);
        return s;
    }

    /** {@code run_id}, falling back to the deprecated {@code run_uuid}, as MLflow reads it; required. */
    public String runId() {
        String id = string("run_id");
        if (id == null || id.isEmpty()) id = string("run_uuid");
        if (id == null || id.isEmpty()) throw missing("run_id");
        return id;
    }

    /** A repeated string field: a list, a single value (one query parameter), or empty when absent. */
    public List<String> strings(String name) {
        JsonNode n = fields.get(name);
        if (n == null || n.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode item : n) {
                if (!item.isValueNode() || item.isNull()) throw invalidValue(name, n, "expected a list of strings");
                out.add(item.asText());
            }
        } else {
            out.add(asString(n, name));
        }
        return out;
    }

    // ---- numbers

    /** An int64 field as a number or a decimal string, or null when absent. */
    public Long int64(String name) {
        return toLong(fields.get(name), name);
    }

    public long requiredInt64(String name) {
        Long v = int64(name);
        if (v == null) throw missing(name);
        return v;
    }

    /** An int32 field, or null when absent. */
    public Integer int32(String name) {
        Long v = int64(name);
        if (v == null) return null;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw invalidValue(name, fields.get(name), "out of range for a 32-bit integer");
        return v.intValue();
    }

    /** A double field as a number or a numeric string ({@code "NaN"}, {@code "Infinity"} included), or null. */
    public Double float64(String name) {
        return toDouble(fields.get(name), name);
    }

    public double requiredFloat64(String name) {
        Double v = float64(name);
        if (v == null) throw missing(name);
        return v;
    }

    /**
     * A proto enum given by name or number; {@code names[i]} is the constant whose number is {@code i + 1}, as
     * MLflow numbers its enums (ViewType, RunStatus). Null when absent.
     */
    public String enumName(String name, List<String> names) {
        JsonNode n = fields.get(name);
        if (n == null || n.isNull()) return null;
        if (n.isIntegralNumber() || (n.isTextual() && n.textValue().matches("\\d+"))) {
            int i = n.asInt();
            if (i >= 1 && i <= names.size()) return names.get(i - 1);
        } else if (n.isTextual()) {
            String s = n.textValue().trim().toUpperCase(java.util.Locale.ROOT);
            if (names.contains(s)) return s;
        }
        throw invalidValue(name, n, "expected one of " + names);
    }

    // ---- nested

    /** A repeated message field: its objects, or empty when absent. */
    public List<ObjectNode> objects(String name) {
        return objects(fields, name, name);
    }

    public static List<ObjectNode> objects(ObjectNode parent, String name, String where) {
        JsonNode n = parent.get(name);
        if (n == null || n.isNull()) return List.of();
        if (!n.isArray()) throw invalidValue(where, n, "expected a list");
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isObject()) throw invalidValue(where, n, "expected a list of objects");
            out.add((ObjectNode) item);
        }
        return out;
    }

    /** A field of a nested object, with {@code where} naming it in errors (e.g. {@code metrics[3].key}). */
    public static String string(ObjectNode parent, String name, String where) {
        return asString(parent.get(name), where);
    }

    public static String requiredString(ObjectNode parent, String name, String where) {
        String s = asString(parent.get(name), where);
        if (s == null || s.isEmpty()) throw missing(where);
        return s;
    }

    public static Long int64(ObjectNode parent, String name, String where) {
        return toLong(parent.get(name), where);
    }

    public static Double float64(ObjectNode parent, String name, String where) {
        return toDouble(parent.get(name), where);
    }

    // ---- conversions and errors

    private static String asString(JsonNode n, String name) {
        if (n == null || n.isNull()) return null;
        if (n.isTextual()) return n.textValue();
        if (n.isNumber() || n.isBoolean()) return n.asText();
        throw invalidValue(name, n, "expected a string");
    }

    private static Long toLong(JsonNode n, String name) {
        if (n == null || n.isNull()) return null;
        if (n.isIntegralNumber() && n.canConvertToLong()) return n.longValue();
        if (n.isFloatingPointNumber() && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 9.0e18) {
            return (long) n.doubleValue();
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue().trim());
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
        }
        throw invalidValue(name, n, "expected an integer");
    }

    private static Double toDouble(JsonNode n, String name) {
        if (n == null || n.isNull()) return null;
        if (n.isNumber()) return n.doubleValue();
        if (n.isTextual()) {
            String s = n.textValue().trim();
            switch (s) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        if (!s.isEmpty() && !s.endsWith("d") && !s.endsWith("f") && !s.endsWith("D") && !s.endsWith("F")) {
                            return Double.parseDouble(s);
                        }
                    } catch (NumberFormatException ignored) {
                        // falls through to the error below
                    }
            }
        }
        throw invalidValue(name, n, "expected a number");
    }

    /** MLflow's message for an absent required parameter. */
    public static MlvException missing(String name) {
        return MlvException.invalid("Missing value for required parameter '" + name + "'." + SEE_DOCS);
    }

    /** MLflow's message for a value of the wrong type or out of range. */
    public static MlvException invalidValue(String name, JsonNode value, String why) {
        String shown = value == null ? "null" : value.toString();
        if (shown.length() > 200) shown = shown.substring(0, 200) + "…";
        return MlvException.invalid("Invalid value " + shown + " for parameter '" + name + "' supplied: " + why + "." + SEE_DOCS);
    }
}
