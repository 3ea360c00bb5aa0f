package dev.mlv.serving.tribuo;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.MapProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.PrimitiveProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import dev.mlv.client.model.ColSpec;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.client.model.OnnxModel;
import dev.mlv.client.model.Spec;
import dev.mlv.client.model.TensorSpec;
import dev.mlv.errors.MlvException;
import org.tribuo.ImmutableFeatureMap;
import org.tribuo.Model;
import org.tribuo.ONNXExportable;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.transform.TransformedModel;
import org.tribuo.transform.Transformer;
import org.tribuo.transform.TransformerMap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Packages a Tribuo model as an MLflow ONNX model: exports it through {@link ONNXExportable}, derives the signature
 * from its feature map (one {@code double} column per feature, in the ONNX input's order), and stores Tribuo's
 * provenance (data source and its hash, trainer configuration, transformations) as {@code provenance.json}.
 *
 * <p>The feature pipeline is part of the package: the per-feature transformations of a {@link TransformedModel}
 * (rescaling, standardisation) are folded into the ONNX graph as a {@code Mul}/{@code Add} in front of the model, so
 * every runtime that loads {@code model.onnx} (mlv, Python MLflow) applies them. Non-affine transformations are refused.
 */
public final class TribuoModels {
    /** Name of the ONNX input Tribuo exports. */
    public static final String ONNX_DOMAIN = "dev.mlv.tribuo";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TribuoModels() {
    }

    /** Exports, packages and logs {@code model} to {@code run} under {@code artifactPath} (e.g. {@code "model"}). */
    public static dev.mlv.client.model.LoggedModel log(dev.mlv.client.ActiveRun run, String artifactPath, Model<?> model) {
        return run.logModel(artifactPath, toOnnxModel(model));
    }

    /** The model as a loggable ONNX package (signature, provenance, label names); see the class comment. */
    public static OnnxModel toOnnxModel(Model<?> model) {
        Model<?> inner = model;
        TransformerMap transforms = null;
        if (model instanceof TransformedModel<?> tm) {
            inner = tm.getInnerModel();
            transforms = tm.getTransformerMap();
        }
        if (!(inner instanceof ONNXExportable exportable)) {
            throw MlvException.invalid("Tribuo model " + inner.getClass().getName() + " cannot be exported to ONNX "
                    + "(it does not implement org.tribuo.ONNXExportable)");
        }
        OnnxMl.ModelProto proto = exportable.exportONNXModel(ONNX_DOMAIN, 1);
        ImmutableFeatureMap features = inner.getFeatureIDMap();
        if (transforms != null) proto = withTransformations(proto, features, transforms);

        List<Spec> inputs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            String n = features.get(i).getName();
            names.add(n);
            inputs.add(ColSpec.of(n, "double"));
        }
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < model.getOutputIDInfo().size(); i++) labels.add(model.getOutputIDInfo().getOutput(i).toString());
        List<Spec> outputs = new ArrayList<>();
        for (OnnxMl.ValueInfoProto out : proto.getGraph().getOutputList()) {
            List<Long> shape = new ArrayList<>();
            for (var d : out.getType().getTensorType().getShape().getDimList()) shape.add(d.hasDimValue() ? d.getDimValue() : -1L);
            outputs.add(new TensorSpec(out.getName(), numpyType(out.getType().getTensorType().getElemType()), shape));
        }
        OnnxModel onnx = OnnxModel.fromBytes(proto.toByteArray())
                .signature(new ModelSignature(inputs, outputs))
                .metadata("tribuo_model_class", model.getClass().getName())
                .metadata("tribuo_version", model.getProvenance().getTribuoVersion())
                .metadata("output_labels", labels)
                .metadata("feature_names", names);
        try {
            onnx.extraFile("provenance.json", JSON.writeValueAsBytes(provenance(model, transforms)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return onnx;
    }

    /** provenance.json: a summary (trainer, data source, transformations) and Tribuo's full provenance tree. */
    static Map<String, Object> provenance(Model<?> model, TransformerMap transforms) {
        ModelProvenance p = model.getProvenance();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model_class", p.getClassName());
        out.put("tribuo_version", p.getTribuoVersion());
        out.put("training_time", String.valueOf(p.getTrainingTime()));
        out.put("trainer", toPlain(p.getTrainerProvenance()));
        out.put("dataset", toPlain(p.getDatasetProvenance()));
        Map<String, List<String>> t = new LinkedHashMap<>();
        if (transforms != null) {
            for (var e : transforms.entrySet()) t.put(e.getKey(), e.getValue().stream().map(Object::toString).toList());
        }
        out.put("transformations", t);
        out.put("full", toPlain(p));
        return out;
    }

    /** A provenance tree as plain maps, lists and strings (JSON-ready). */
    static Object toPlain(Provenance p) {
        if (p == null) return null;
        if (p instanceof ObjectProvenance op) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("class-name", op.getClassName());
            for (Pair<String, Provenance> e : op) m.put(e.getA(), toPlain(e.getB()));
            return m;
        }
        if (p instanceof MapProvenance<?> mp) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (var e : mp.getMap().entrySet()) m.put(e.getKey(), toPlain(e.getValue()));
            return m;
        }
        if (p instanceof ListProvenance<?> lp) {
            List<Object> l = new ArrayList<>();
            for (Provenance e : lp.getList()) l.add(toPlain(e));
            return l;
        }
        if (p instanceof PrimitiveProvenance<?> pp) {
            Object v = pp.getValue();
            return v instanceof Number || v instanceof Boolean || v == null ? v : String.valueOf(v);
        }
        return p.toString();
    }

    /** One feature's transformation chain as {@code clamp(a * x + b, lo, hi)}. */
    record Affine(double a, double b, double lo, double hi) {
        double apply(double x) {
            return Math.min(hi, Math.max(lo, a * x + b));
        }
    }

    /**
     * Recovers {@code clamp(a*x + b, lo, hi)} from a transformer chain by probing it (Tribuo's rescaling clamps
     * to its target range outside the observed range; standardisation does not clamp), and checks the fit on a wide
     * grid. Throws when the chain is not of that form.
     */
    static Affine fit(String feature, List<Transformer> chain) {
        final double far = 1e15;
        double fl = TransformerMap.applyTransformerList(-far, chain);
        double fh = TransformerMap.applyTransformerList(far, chain);
        List<Double> grid = new ArrayList<>(List.of(0.0));
        for (int k = -3; k <= 9; k++) {
            for (double m : new double[]{1, 2, 5}) {
                grid.add(m * Math.pow(10, k));
                grid.add(-m * Math.pow(10, k));
            }
        }
        Double inside = null;
        for (double x : grid) {
            double y = TransformerMap.applyTransformerList(x, chain);
            if (y != fl && y != fh) {
                inside = x;
                break;
            }
        }
        Affine fit;
        if (inside == null) {
            fit = new Affine(0, TransformerMap.applyTransformerList(0, chain), Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        } else {
            double p = inside;
            double left = Math.abs(fl) > 1e10 ? p - 1 : boundary(chain, -far, p, fl);
            double right = Math.abs(fh) > 1e10 ? p + 1 : boundary(chain, far, p, fh);
            double x1 = left + (right - left) * 0.25;
            double x2 = left + (right - left) * 0.75;
            double a = (TransformerMap.applyTransformerList(x2, chain) - TransformerMap.applyTransformerList(x1, chain)) / (x2 - x1);
            double b = TransformerMap.applyTransformerList(x1, chain) - a * x1;
            double lo = Double.NEGATIVE_INFINITY;
            double hi = Double.POSITIVE_INFINITY;
            if (Math.abs(fl) <= 1e10) {
                lo = Math.min(lo == Double.NEGATIVE_INFINITY ? fl : lo, fl);
            }
            if (Math.abs(fh) <= 1e10) {
                hi = fh;
            }
            if (lo > hi) {
                double t = lo;
                lo = hi;
                hi = t;
            }
            if (a < 0) { // decreasing: the low clamp is reached on the right
                double l2 = Math.abs(fh) <= 1e10 ? fh : Double.NEGATIVE_INFINITY;
                double h2 = Math.abs(fl) <= 1e10 ? fl : Double.POSITIVE_INFINITY;
                lo = l2;
                hi = h2;
            }
            fit = new Affine(a, b, lo, hi);
        }
        List<Double> check = new ArrayList<>(grid);
        for (int i = -20; i <= 20; i++) check.add(i * 0.37 + (inside == null ? 0 : inside));
        for (double x : check) {
            double want = fit.apply(x);
            double got = TransformerMap.applyTransformerList(x, chain);
            if (Math.abs(got - want) > 1e-6 * Math.max(1.0, Math.abs(want))) {
                throw MlvException.invalid("The transformation of feature '" + feature + "' " + chain
                        + " is not a (clamped) affine map, so it cannot be folded into the ONNX graph");
            }
        }
        return fit;
    }

    /** Bisects between {@code out} (where f equals the clamp value {@code clamp}) and {@code in} for the edge. */
    private static double boundary(List<Transformer> chain, double out, double in, double clamp) {
        for (int i = 0; i < 200; i++) {
            double mid = (out + in) / 2;
            if (TransformerMap.applyTransformerList(mid, chain) == clamp) out = mid;
            else in = mid;
        }
        return in;
    }

    /**
     * Prepends {@code min(max(x * scale + shift, lo), hi)} to the graph, feature by feature, for the transformations
     * of a {@link TransformedModel}.
     */
    static OnnxMl.ModelProto withTransformations(OnnxMl.ModelProto proto, ImmutableFeatureMap features, TransformerMap map) {
        int n = features.size();
        float[] scale = new float[n];
        float[] shift = new float[n];
        float[] lo = new float[n];
        float[] hi = new float[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            String name = features.get(i).getName();
            List<Transformer> chain = map.get(name);
            Affine f = chain == null || chain.isEmpty()
                    ? new Affine(1, 0, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY) : fit(name, chain);
            scale[i] = (float) f.a();
            shift[i] = (float) f.b();
            lo[i] = (float) f.lo();
            hi[i] = (float) f.hi();
            any |= chain != null && !chain.isEmpty();
        }
        if (!any) return proto;
        OnnxMl.GraphProto g = proto.getGraph();
        String input = g.getInput(0).getName();
        String transformed = "mlv_transformed_" + input;
        OnnxMl.GraphProto.Builder gb = g.toBuilder().clearNode();
        gb.addInitializer(floatTensor("mlv_feature_scale", scale));
        gb.addInitializer(floatTensor("mlv_feature_shift", shift));
        gb.addInitializer(floatTensor("mlv_feature_min", lo));
        gb.addInitializer(floatTensor("mlv_feature_max", hi));
        gb.addNode(node("Mul", input, "mlv_feature_scale", "mlv_scaled_" + input));
        gb.addNode(node("Add", "mlv_scaled_" + input, "mlv_feature_shift", "mlv_shifted_" + input));
        gb.addNode(node("Max", "mlv_shifted_" + input, "mlv_feature_min", "mlv_low_clamped_" + input));
        gb.addNode(node("Min", "mlv_low_clamped_" + input, "mlv_feature_max", transformed));
        for (OnnxMl.NodeProto node : g.getNodeList()) {
            OnnxMl.NodeProto.Builder nb = node.toBuilder();
            for (int k = 0; k < nb.getInputCount(); k++) if (nb.getInput(k).equals(input)) nb.setInput(k, transformed);
            gb.addNode(nb);
        }
        return proto.toBuilder().setGraph(gb).build();
    }

    private static OnnxMl.NodeProto.Builder node(String op, String a, String b, String out) {
        return OnnxMl.NodeProto.newBuilder().setName("mlv_pipeline_" + out).setOpType(op).addInput(a).addInput(b).addOutput(out);
    }

    private static OnnxMl.TensorProto floatTensor(String name, float[] values) {
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()).addDims(values.length);
        for (float v : values) t.addFloatData(v);
        return t.build();
    }

    private static String numpyType(int onnxElemType) {
        return switch (onnxElemType) {
            case 1 -> "float32";
            case 11 -> "float64";
            case 7 -> "int64";
            case 6 -> "int32";
            case 9 -> "bool";
            case 8 -> "str";
            default -> "float32";
        };
    }
}
