package dev.mlv.serving;

import ai.onnx.proto.OnnxMl;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.LinearScalingTransformation;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small real models for tests: Tribuo classifiers on synthetic data and hand-built ONNX graphs. */
final class TestModels {
    static final String[] FEATURES = {"f_a", "f_b", "f_c"};

    private TestModels() {
    }

    /** Three separable classes in 3 features. */
    static MutableDataset<Label> dataset(long seed) {
        LabelFactory lf = new LabelFactory();
        Random r = new Random(seed);
        List<Example<Label>> ex = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int c = i % 3;
            double[] v = {c * 2.0 + r.nextGaussian() * 0.5, -c + r.nextGaussian() * 0.5, r.nextGaussian() * 10 + 50};
            ex.add(new ArrayExample<>(new Label("class" + c), FEATURES, v));
        }
        return new MutableDataset<>(new ListDataSource<>(ex, lf, new SimpleDataSourceProvenance("synthetic-" + seed, lf)));
    }

    static LinearSGDTrainer trainer(long seed, int epochs, double learningRate) {
        return new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(learningRate, 0.1), epochs, seed);
    }

    static Model<Label> logistic(long seed, int epochs) {
        return trainer(seed, epochs, 0.5).train(dataset(seed));
    }

    /** A model trained behind a rescaling of every feature to [0, 1]: a TransformedModel. */
    static Model<Label> scaledLogistic(long seed) {
        var trainer = new TransformTrainer<>(trainer(seed, 5, 0.5),
                new TransformationMap(List.of(new LinearScalingTransformation(0, 1))), true);
        return trainer.train(dataset(seed));
    }

    /** y = x + 1 over float32 [N, 3]: a one-input, one-output tensor model. */
    static byte[] addOne() {
        return addModel(3, 1f);
    }

    static byte[] addModel(int width, float constant) {
        var t = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1)
                .setShape(OnnxMl.TensorShapeProto.newBuilder()
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width))));
        var g = OnnxMl.GraphProto.newBuilder().setName("add")
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("c").addOutput("y"))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("x_copy"))
                .addInitializer(OnnxMl.TensorProto.newBuilder().setName("c").setDataType(1).addFloatData(constant))
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(t))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(t))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("x_copy").setType(t));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }
}
