package dev.mlv.serving;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.client.model.OnnxModel;
import dev.mlv.serving.tribuo.TribuoModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Scoring through reused input tensors and pinned outputs gives ONNX Runtime's own answers, whatever the batch. */
class ScratchTensorsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static double[][] rows(Random r, int n) {
        double[][] rows = new double[n][];
        for (int i = 0; i < n; i++) rows[i] = new double[]{r.nextGaussian(), r.nextGaussian(), 40 + r.nextGaussian() * 10};
        return rows;
    }

    static void assertScored(LoadedModel m, Path onnx, double[][] rows) throws Exception {
        String body = "{\"dataframe_split\": {\"columns\": " + JSON.writeValueAsString(TestModels.FEATURES)
                + ", \"data\": " + JSON.writeValueAsString(rows) + "}}";
        JsonNode p = Scorer.predict(m, InputParser.parseJson(body.getBytes(StandardCharsets.UTF_8), m.mlModel().signature()));
        float[][] expected = ScoringServerTest.direct(onnx, rows);
        int k = expected[0].length;
        assertThat(p.size()).isEqualTo(rows.length * k);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < k; j++) assertThat(p.get(i * k + j).get("output").floatValue()).isEqualTo(expected[i][j]);
        }
    }

    @Test
    void batchesOfChangingSizeOnManyThreadsGetOnnxRuntimesAnswers(@TempDir Path dir) throws Exception {
        ModelPackage.write(TribuoModels.toOnnxModel(TestModels.logistic(3, 5)), dir, "0123456789abcdef0123456789abcdef", "model");
        Path onnx = dir.resolve("model.onnx");
        LoadedModel m = LoadedModel.load(dir, "iris", "1");
        assertThat(m.pinnableOutputs()).containsOnlyKeys("output");
        Random r = new Random(1);
        for (int n : new int[]{1, 3, 1, 2, 6000, 1}) assertScored(m, onnx, rows(r, n)); // 6000 rows: over KEEP, one-off tensors
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long seed = t;
            threads.add(CompletableFuture.runAsync(() -> {
                Random tr = new Random(seed);
                try {
                    for (int i = 0; i < 100; i++) assertScored(m, onnx, rows(tr, 1 + tr.nextInt(4)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, java.util.concurrent.Executors.newSingleThreadExecutor()));
        }
        threads.forEach(CompletableFuture::join);
        assertThat(m.pinnableOutputs()).as("pinning never failed").isNotNull();
        m.release(); // closes the session and every thread's tensors
        assertThat(m.isClosed()).isTrue();
    }

    /** y = Tile(x, r): declared as [N, 3] like x, but [2N, 3] when r = [2, 1], which only the run shows. */
    static byte[] tile() {
        var repeats = OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(7)
                .setShape(OnnxMl.TensorShapeProto.newBuilder().addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(2))));
        var g = OnnxMl.GraphProto.newBuilder().setName("tile")
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Tile").addInput("x").addInput("r").addOutput("y"))
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(tensorType(3)))
                .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("r").setType(repeats))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(tensorType(3)));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("test")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray();
    }

    static OnnxMl.TypeProto tensorType(int width) {
        return OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1)
                .setShape(OnnxMl.TensorShapeProto.newBuilder()
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                        .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(width)))).build();
    }

    @Test
    void aModelWhoseDeclaredOutputShapeIsWrongIsStillScored(@TempDir Path dir) throws Exception {
        ModelPackage.write(OnnxModel.fromBytes(tile()), dir, "abc", "model");
        LoadedModel m = LoadedModel.load(dir, "tile", "1");
        assertThat(m.pinnableOutputs()).containsOnlyKeys("y");
        String body = "{\"inputs\": {\"x\": [[1, 2, 3]], \"r\": [2, 1]}}";
        for (int i = 0; i < 2; i++) {
            JsonNode p = Scorer.predict(m, InputParser.parseJson(body.getBytes(StandardCharsets.UTF_8), null));
            assertThat(p.toString()).isEqualTo("{\"y\":[[1.0,2.0,3.0],[1.0,2.0,3.0]]}");
        }
        assertThat(m.pinnableOutputs()).as("pinning stopped for this model").isNull();
        m.release();
    }
}
