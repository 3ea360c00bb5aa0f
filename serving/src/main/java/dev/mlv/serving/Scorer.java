package dev.mlv.serving;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.client.model.Spec;
import dev.mlv.client.model.TensorSpec;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.lang.reflect.Array;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a {@link ScoringInput} against the model's signature and ONNX inputs, runs the session and shapes the answer
 * the way MLflow's ONNX pyfunc does: a DataFrame input gives a list of records, one column per ONNX output with each
 * output flattened ({@code reshape(-1)}); a tensor input gives a dict {output name: nested list}.
 */
public final class Scorer {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Scorer() {
    }

    static MlvException bad(String m) {
        return new MlvException(ErrorCode.BAD_REQUEST, m);
    }

    /** Scores {@code input} and returns the value of {@code "predictions"}. */
    public static JsonNode predict(LoadedModel model, ScoringInput input) {
        ModelSignature sig = model.mlModel().signature();
        boolean asFrame = input instanceof ScoringInput.Table;
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        ScratchTensors scratch = model.scratch();
        try {
            if (input instanceof ScoringInput.Table t) tableFeed(model, sig, t, scratch, feed);
            else tensorFeed(model, sig, (ScoringInput.Tensors) input, scratch, feed);
            try (OrtSession.Result r = run(model, scratch, feed)) {
                return asFrame ? records(model, r, scratch) : tensorDict(model, r);
            }
        } catch (OrtException e) {
            throw bad("Model evaluation failed: " + e.getMessage());
        } finally {
            scratch.endRequest();
        }
    }

    /** Runs the session, into this thread's pinned output tensors when the model's outputs allow it. */
    private static OrtSession.Result run(LoadedModel model, ScratchTensors scratch, Map<String, OnnxTensor> feed) throws OrtException {
        long[] shape = feed.values().iterator().next().getInfo().getShape();
        Map<String, OnnxTensor> pinned = shape.length == 0 ? null : scratch.outputs(model, shape[0]);
        if (pinned == null) return model.session().run(feed);
        try {
            return model.session().run(feed, pinned);
        } catch (OrtException e) {
            OrtSession.Result r = model.session().run(feed); // throws again if the input is at fault
            model.stopPinning(); // the declared output shapes did not hold for this model
            return r;
        }
    }

    // ---- table (DataFrame) inputs ----

    private static void tableFeed(LoadedModel m, ModelSignature sig, ScoringInput.Table t, ScratchTensors scratch,
                                  Map<String, OnnxTensor> feed) throws OrtException {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < t.columns().size(); i++) index.putIfAbsent(t.columns().get(i), i);
        int n = t.rows().size();
        if (n == 0) throw bad("Invalid input. No rows to score.");
        List<String> cols;
        List<String> types;
        if (m.signatureColumns() != null) {
            cols = m.signatureColumns();
            types = m.signatureTypes();
            List<String> missing = new ArrayList<>();
            for (String c : cols) if (!index.containsKey(c)) missing.add(c);
            if (!missing.isEmpty()) {
                List<String> extra = new ArrayList<>(t.columns());
                extra.removeAll(cols);
                throw bad("Invalid input. Model is missing inputs " + missing + "."
                        + (extra.isEmpty() ? "" : " Unexpected columns " + extra + " were given.")
                        + " Expected columns " + cols + ".");
            }
        } else {
            cols = t.columns();
            types = new ArrayList<>();
            for (int i = 0; i < cols.size(); i++) types.add(null);
        }
        List<LoadedModel.Input> inputs = m.inputs();
        if (inputs.size() == 1) {
            LoadedModel.Input in = inputs.get(0);
            long[] shape = in.shape();
            int c = cols.size();
            long[] actual;
            if (shape.length == 2) {
                if (shape[1] > 0 && shape[1] != c) {
                    throw bad("Invalid input. Model input '" + in.name() + "' expects " + shape[1] + " columns per row, got " + c + " " + cols + ".");
                }
                actual = new long[]{n, c};
            } else if (shape.length == 1 && c == 1) {
                actual = new long[]{n};
            } else {
                throw bad("Invalid input. Model input '" + in.name() + "' has shape " + Arrays.toString(shape)
                        + "; a table of " + c + " columns cannot be fed to it.");
            }
            if (shape.length >= 1 && shape[0] > 0 && shape[0] != n) {
                throw bad("Invalid input. Model input '" + in.name() + "' expects exactly " + shape[0] + " rows, got " + n + ".");
            }
            Sink sink = Sink.of(in.info().type, n * c, in.name());
            int[] pos = new int[c];
            for (int j = 0; j < c; j++) pos[j] = index.get(cols.get(j));
            for (int i = 0; i < n; i++) {
                Object[] row = t.rows().get(i);
                for (int j = 0; j < c; j++) {
                    sink.add(checked(row[pos[j]], types.get(j), cols.get(j), i, t.fromCsv()), cols.get(j), i);
                }
            }
            feed.put(in.name(), sink.tensor(scratch, actual));
            return;
        }
        // several ONNX inputs: one column per input, as MLflow does (data[name].values)
        for (LoadedModel.Input in : inputs) {
            Integer p = index.get(in.name());
            if (p == null) {
                throw bad("Invalid input. Model has inputs " + m.describeInputs().keySet() + "; column '" + in.name() + "' is missing.");
            }
            int sp = cols.indexOf(in.name());
            String type = sp >= 0 ? types.get(sp) : null;
            long[] shape = in.shape();
            long[] actual = shape.length == 2 && shape[1] == 1 ? new long[]{n, 1} : new long[]{n};
            if (shape.length != actual.length) {
                throw bad("Invalid input. Model input '" + in.name() + "' has shape " + Arrays.toString(shape) + "; a column gives [" + n + "].");
            }
            Sink sink = Sink.of(in.info().type, n, in.name());
            for (int i = 0; i < n; i++) sink.add(checked(t.rows().get(i)[p], type, in.name(), i, t.fromCsv()), in.name(), i);
            feed.put(in.name(), sink.tensor(scratch, actual));
        }
    }

    /** Checks one cell against the signature column type; CSV text is read as that type. */
    private static Object checked(Object v, String type, String col, int row, boolean csv) {
        if (v == null) throw bad("Invalid input. Column '" + col + "' has a missing value in row " + row + ".");
        if (type == null) {
            if (csv && v instanceof String s) return parseNumber(s, col, row);
            return v;
        }
        switch (type) {
            case "double", "float" -> {
                if (v instanceof Number) return v;
                if (csv && v instanceof String s) return parseNumber(s, col, row);
            }
            case "integer", "long" -> {
                if (v instanceof Long) return v;
                if (csv && v instanceof String s) {
                    try {
                        return Long.parseLong(s.trim());
                    } catch (NumberFormatException e) {
                        // fall through to the error
                    }
                }
            }
            case "boolean" -> {
                if (v instanceof Boolean) return v;
                if (csv && v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                    return Boolean.parseBoolean(s);
                }
            }
            case "string" -> {
                if (v instanceof String) return v;
            }
            default -> {
                return v;
            }
        }
        throw bad("Invalid input. Incompatible input types for column '" + col + "': expected " + type + ", got "
                + describe(v) + " in row " + row + ".");
    }

    private static Object parseNumber(String s, String col, int row) {
        try {
            String t = s.trim();
            if (t.matches("[+-]?\\d+")) return Long.parseLong(t);
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw bad("Invalid input. Column '" + col + "' row " + row + ": '" + s + "' is not a number.");
        }
    }

    private static String describe(Object v) {
        if (v instanceof Long) return "integer " + v;
        if (v instanceof Double) return "float " + v;
        if (v instanceof String s) return "string '" + (s.length() > 40 ? s.substring(0, 40) + "…" : s) + "'";
        if (v instanceof Boolean) return "boolean " + v;
        return v.getClass().getSimpleName();
    }

    // ---- tensor inputs ----

    private static void tensorFeed(LoadedModel m, ModelSignature sig, ScoringInput.Tensors t, ScratchTensors scratch,
                                   Map<String, OnnxTensor> feed) throws OrtException {
        Map<String, JsonNode> given = t.tensors();
        List<LoadedModel.Input> inputs = m.inputs();
        if (given.containsKey(null)) {
            if (inputs.size() != 1) {
                throw bad("Invalid input. The model has " + inputs.size() + " inputs " + m.describeInputs().keySet()
                        + "; pass a dict {name: tensor}.");
            }
            given = Map.of(inputs.get(0).name(), given.get(null));
        }
        for (String k : given.keySet()) {
            if (inputs.stream().noneMatch(i -> i.name().equals(k))) {
                throw bad("Invalid input. Unknown tensor '" + k + "'; the model's inputs are " + m.describeInputs().keySet() + ".");
            }
        }
        for (LoadedModel.Input in : inputs) {
            JsonNode v = given.get(in.name());
            if (v == null) throw bad("Invalid input. Missing tensor '" + in.name() + "'; the model's inputs are " + m.describeInputs().keySet() + ".");
            List<Long> shapeList = new ArrayList<>();
            JsonNode cur = v;
            while (cur.isArray()) {
                shapeList.add((long) cur.size());
                if (cur.isEmpty()) break;
                cur = cur.get(0);
            }
            long[] shape = shapeList.stream().mapToLong(Long::longValue).toArray();
            long[] want = in.shape();
            checkShape(in.name(), shape, want, "the model's ONNX input");
            TensorSpec spec = tensorSpec(sig, in.name(), inputs.size());
            if (spec != null) checkShape(in.name(), shape, spec.shape().stream().mapToLong(Long::longValue).toArray(), "the signature");
            long count = 1;
            for (long d : shape) count *= d;
            if (count == 0) throw bad("Invalid input. Tensor '" + in.name() + "' is empty.");
            if (count > Integer.MAX_VALUE) throw bad("Invalid input. Tensor '" + in.name() + "' is too large.");
            Sink sink = Sink.of(in.info().type, (int) count, in.name());
            flatten(v, shape, 0, sink, in.name());
            feed.put(in.name(), sink.tensor(scratch, shape));
        }
    }

    private static TensorSpec tensorSpec(ModelSignature sig, String name, int nInputs) {
        if (sig == null || !sig.isTensorBased()) return null;
        for (Spec s : sig.inputs()) if (name.equals(s.name())) return (TensorSpec) s;
        return nInputs == 1 && sig.inputs().size() == 1 ? (TensorSpec) sig.inputs().get(0) : null;
    }

    private static void checkShape(String name, long[] got, long[] want, String what) {
        boolean ok = got.length == want.length;
        for (int i = 0; ok && i < got.length; i++) ok = want[i] <= 0 || want[i] == got[i];
        if (!ok) {
            throw bad("Invalid input. Shape of tensor '" + name + "' is " + Arrays.toString(got) + ", " + what
                    + " expects " + Arrays.toString(want).replace("-1", "-1 (any)") + ".");
        }
    }

    private static void flatten(JsonNode v, long[] shape, int depth, Sink sink, String name) {
        if (depth == shape.length) {
            if (v.isArray()) throw bad("Invalid input. Tensor '" + name + "' is ragged (nested deeper than its shape " + Arrays.toString(shape) + ").");
            Object c;
            if (v.isNull()) c = null;
            else if (v.isIntegralNumber()) c = v.asLong();
            else if (v.isNumber()) c = v.asDouble();
            else if (v.isBoolean()) c = v.asBoolean();
            else if (v.isTextual()) c = v.asText();
            else throw bad("Invalid input. Tensor '" + name + "' contains a " + v.getNodeType().name().toLowerCase() + ".");
            if (c == null) throw bad("Invalid input. Tensor '" + name + "' contains null.");
            sink.add(c, name, -1);
            return;
        }
        if (!v.isArray() || v.size() != shape[depth]) {
            throw bad("Invalid input. Tensor '" + name + "' is ragged: expected " + shape[depth] + " elements at depth " + depth + ".");
        }
        for (JsonNode e : v) flatten(e, shape, depth + 1, sink, name);
    }

    // ---- outputs ----

    private static JsonNode records(LoadedModel m, OrtSession.Result r, ScratchTensors scratch) throws OrtException {
        Map<String, List<JsonNode>> flat = new LinkedHashMap<>();
        int len = -1;
        boolean equal = true;
        for (String name : m.outputNames()) {
            List<JsonNode> values = new ArrayList<>();
            OnnxValue v = r.get(name).orElseThrow();
            if (!flattenTensor(v, scratch.isPinned(v), values)) flattenValue(v.getValue(), values);
            if (len >= 0 && values.size() != len) equal = false;
            len = values.size();
            flat.put(name, values);
        }
        if (!equal) {
            ObjectNode o = F.objectNode();
            flat.forEach((k, vs) -> o.putArray(k).addAll(vs));
            return o;
        }
        ArrayNode out = F.arrayNode(Math.max(len, 0));
        for (int i = 0; i < len; i++) {
            ObjectNode rec = out.addObject();
            for (var e : flat.entrySet()) rec.set(e.getKey(), e.getValue().get(i));
        }
        return out;
    }

    private static JsonNode tensorDict(LoadedModel m, OrtSession.Result r) throws OrtException {
        ObjectNode o = F.objectNode();
        for (String name : m.outputNames()) o.set(name, toJson(r.get(name).orElseThrow().getValue()));
        return o;
    }

    /**
     * Numeric tensors straight from their buffers (row-major, as {@code reshape(-1)}), pinned outputs from their own
     * memory without a copy; false for other values.
     */
    private static boolean flattenTensor(OnnxValue v, boolean pinned, List<JsonNode> out) {
        if (!(v instanceof OnnxTensor t) || !ScratchTensors.NUMERIC.contains(t.getInfo().type)) return false;
        // a pinned output is read from a fresh view of our own memory, any other from ONNX Runtime's copy
        java.nio.Buffer b = pinned ? t.getBufferRef().orElseThrow() : switch (t.getInfo().type) {
            case FLOAT -> t.getFloatBuffer();
            case DOUBLE -> t.getDoubleBuffer();
            case INT64 -> t.getLongBuffer();
            default -> t.getIntBuffer();
        };
        for (int i = b.position(); i < b.limit(); i++) out.add(numberAt(b, i));
        return true;
    }

    /** Element {@code i} of a numeric buffer of any of the {@link ScratchTensors#NUMERIC} types, as a JSON number. */
    private static JsonNode numberAt(java.nio.Buffer b, int i) {
        if (b instanceof FloatBuffer f) return F.numberNode(f.get(i));
        if (b instanceof DoubleBuffer d) return F.numberNode(d.get(i));
        if (b instanceof LongBuffer l) return F.numberNode(l.get(i));
        return F.numberNode(((IntBuffer) b).get(i));
    }

    /**
     * Writes {@code {"predictions": value}} as UTF-8 JSON bytes with a plain streaming generator: the same bytes
     * {@code ObjectMapper.writeValueAsBytes} gives for the tree, without its per-call serializer machinery.
     */
    public static byte[] answer(JsonNode predictions) {
        com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(256);
        try (com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeFieldName("predictions");
            write(g, predictions);
            g.writeEndObject();
        } catch (java.io.IOException e) {
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot write predictions: " + e.getMessage());
        }
        return out.toByteArray();
    }

    private static void write(com.fasterxml.jackson.core.JsonGenerator g, JsonNode n) throws java.io.IOException {
        switch (n.getNodeType()) {
            case ARRAY -> {
                g.writeStartArray();
                for (JsonNode e : n) write(g, e);
                g.writeEndArray();
            }
            case OBJECT -> {
                g.writeStartObject();
                for (var it = n.fields(); it.hasNext(); ) {
                    var e = it.next();
                    g.writeFieldName(e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case NUMBER -> {
                switch (n.numberType()) {
                    case FLOAT -> g.writeNumber(n.floatValue());
                    case DOUBLE -> g.writeNumber(n.doubleValue());
                    case INT -> g.writeNumber(n.intValue());
                    case LONG -> g.writeNumber(n.longValue());
                    case BIG_INTEGER -> g.writeNumber(n.bigIntegerValue());
                    case BIG_DECIMAL -> g.writeNumber(n.decimalValue());
                }
            }
            case STRING -> g.writeString(n.textValue());
            case BOOLEAN -> g.writeBoolean(n.booleanValue());
            case NULL -> g.writeNull();
            default -> JSON.writeTree(g, n); // binary, POJO, missing: the general serializer
        }
    }

    private static void flattenValue(Object v, List<JsonNode> out) {
        if (v != null && v.getClass().isArray()) {
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) flattenValue(Array.get(v, i), out);
        } else if (v instanceof List<?> l) {
            for (Object e : l) flattenValue(e, out);
        } else {
            out.add(toJson(v));
        }
    }

    private static JsonNode toJson(Object v) {
        if (v == null) return F.nullNode();
        if (v instanceof Float f) return F.numberNode(f);
        if (v instanceof Double d) return F.numberNode(d);
        if (v instanceof Long l) return F.numberNode(l);
        if (v instanceof Integer i) return F.numberNode(i);
        if (v instanceof Boolean b) return F.booleanNode(b);
        if (v instanceof String s) return F.textNode(s);
        if (v instanceof OnnxValue ov) {
            try {
                return toJson(ov.getValue());
            } catch (OrtException e) {
                throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot read model output: " + e.getMessage());
            }
        }
        if (v.getClass().isArray()) {
            ArrayNode a = F.arrayNode();
            int n = Array.getLength(v);
            for (int i = 0; i < n; i++) a.add(toJson(Array.get(v, i)));
            return a;
        }
        if (v instanceof List<?> l) {
            ArrayNode a = F.arrayNode();
            for (Object e : l) a.add(toJson(e));
            return a;
        }
        if (v instanceof Map<?, ?> mp) {
            ObjectNode o = F.objectNode();
            mp.forEach((k, x) -> o.set(String.valueOf(k), toJson(x)));
            return o;
        }
        return JSON.valueToTree(v);
    }

    /** Collects values converted to one ONNX element type into a flat buffer. */
    private abstract static class Sink {
        final String input;
        final OnnxJavaType type;
        int i;

        Sink(String input, OnnxJavaType type) {
            this.input = input;
            this.type = type;
        }

        static Sink of(OnnxJavaType type, int n, String input) {
            return switch (type) {
                case FLOAT -> new Sink(input, type) {
                    final float[] a = new float[n];

                    void put(Object v, String col, int row) {
                        a[i++] = (float) num(v, col, row);
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.input(input, type, shape, a.length * 4, b -> b.asFloatBuffer().put(a));
                    }
                };
                case DOUBLE -> new Sink(input, type) {
                    final double[] a = new double[n];

                    void put(Object v, String col, int row) {
                        a[i++] = num(v, col, row);
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.input(input, type, shape, a.length * 8, b -> b.asDoubleBuffer().put(a));
                    }
                };
                case INT64 -> new Sink(input, type) {
                    final long[] a = new long[n];

                    void put(Object v, String col, int row) {
                        a[i++] = integral(v, col, row);
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.input(input, type, shape, a.length * 8, b -> b.asLongBuffer().put(a));
                    }
                };
                case INT32 -> new Sink(input, type) {
                    final int[] a = new int[n];

                    void put(Object v, String col, int row) {
                        long l = integral(v, col, row);
                        if (l != (int) l) throw bad("Invalid input. " + where(col, row) + ": " + l + " does not fit int32.");
                        a[i++] = (int) l;
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.input(input, type, shape, a.length * 4, b -> b.asIntBuffer().put(a));
                    }
                };
                case BOOL -> new Sink(input, type) {
                    final byte[] a = new byte[n];

                    void put(Object v, String col, int row) {
                        if (!(v instanceof Boolean b)) throw bad("Invalid input. " + where(col, row) + ": expected a boolean, got " + describe(v) + ".");
                        a[i++] = (byte) (b ? 1 : 0);
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.input(input, type, shape, a.length, b -> b.put(a));
                    }
                };
                case STRING -> new Sink(input, type) {
                    final String[] a = new String[n];

                    void put(Object v, String col, int row) {
                        if (!(v instanceof String s)) throw bad("Invalid input. " + where(col, row) + ": expected a string, got " + describe(v) + ".");
                        a[i++] = s;
                    }

                    OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException {
                        return s.oneOff(OnnxTensor.createTensor(OrtRuntime.env(), a, shape));
                    }
                };
                default -> throw new MlvException(ErrorCode.INVALID_PARAMETER_VALUE,
                        "Model input '" + input + "' has element type " + type + ", which mlv does not serve yet.");
            };
        }

        abstract void put(Object v, String col, int row);

        /** The values as a tensor of {@code shape}, in {@code s}'s memory for this request. */
        abstract OnnxTensor tensor(ScratchTensors s, long[] shape) throws OrtException;

        void add(Object v, String col, int row) {
            put(v, col, row);
        }

        String where(String col, int row) {
            return row >= 0 ? "Column '" + col + "' row " + row : "Tensor '" + col + "'";
        }

        double num(Object v, String col, int row) {
            if (v instanceof Number x) return x.doubleValue();
            throw bad("Invalid input. " + where(col, row) + ": expected a number for model input '" + input + "', got " + describe(v) + ".");
        }

        long integral(Object v, String col, int row) {
            if (v instanceof Long l) return l;
            if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) return d.longValue();
            throw bad("Invalid input. " + where(col, row) + ": expected an integer for model input '" + input + "', got " + describe(v) + ".");
        }
    }
}
