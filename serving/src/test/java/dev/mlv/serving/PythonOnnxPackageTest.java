package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.model.ColSpec;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.client.model.OnnxModel;
import dev.mlv.client.model.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interchangeability with Python MLflow: a package written the way {@code mlflow.onnx.log_model} writes it loads and
 * serves, and the MLmodel mlv writes has the fields Python's loader reads.
 */
class PythonOnnxPackageTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** MLmodel as written by mlflow 2.17 {@code mlflow.onnx.log_model(onnx_model, "model", signature=...)}. */
    static final String PYTHON_MLMODEL = """
            artifact_path: model
            flavors:
              onnx:
                code: null
                data: model.onnx
                onnx_session_options: null
                onnx_version: 1.16.2
                providers:
                - CUDAExecutionProvider
                - CPUExecutionProvider
              python_function:
                data: model.onnx
                env:
                  conda: conda.yaml
                  virtualenv: python_env.yaml
                loader_module: mlflow.onnx
                python_version: 3.11.9
            mlflow_version: 2.17.2
            model_size_bytes: 1543
            model_uuid: 5b1ce9f1b3a946c8a7e0e2a0a4d2b9a4
            run_id: 2f1d0c3b6a8e4f1c9b7a5d3e1f0c2b4a
            signature:
              inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}, "name": "x"}]'
              outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}, "name": "y"}]'
              params: null
            utc_time_created: '2024-10-22 12:34:56.123456'
            """;

    static HttpResponse<String> post(int port, String type, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .header("Content-Type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesAPackageWrittenByPythonMlflow(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("MLmodel"), PYTHON_MLMODEL);
        Files.write(dir.resolve("model.onnx"), TestModels.addOne());
        Files.writeString(dir.resolve("conda.yaml"), "name: mlflow-env\n");
        Files.writeString(dir.resolve("python_env.yaml"), "python: 3.11.9\n");
        Files.writeString(dir.resolve("requirements.txt"), "mlflow==2.17.2\nonnx==1.16.2\nonnxruntime==1.19.2\n");
        try (ModelServing s = ModelServing.start(ModelServing.Config.of(dir.toString(), "127.0.0.1", 0, null).withLocalName("py", "1"))) {
            // tensor input (TF-serving "inputs"): a dict {output: nested list}, as the ONNX pyfunc returns for ndarrays
            var r = post(s.port(), "application/json", "{\"inputs\": [[1, 2, 3], [4.5, 5, 6]]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode p = JSON.readTree(r.body()).get("predictions");
            assertThat(p.get("y").toString()).isEqualTo("[[2.0,3.0,4.0],[5.5,6.0,7.0]]");
            assertThat(p.get("x_copy").toString()).isEqualTo("[[1.0,2.0,3.0],[4.5,5.0,6.0]]");
            assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("1");

            var named = post(s.port(), "application/json", "{\"inputs\": {\"x\": [[1, 2, 3]]}}");
            assertThat(JSON.readTree(named.body()).get("predictions").get("y").toString()).isEqualTo("[[2.0,3.0,4.0]]");
            var inst = post(s.port(), "application/json", "{\"instances\": [[1, 2, 3]]}");
            assertThat(JSON.readTree(inst.body()).get("predictions").get("y").toString()).isEqualTo("[[2.0,3.0,4.0]]");

            // wrong shape against the tensor signature, unknown tensor name
            var shape = post(s.port(), "application/json", "{\"inputs\": [[1, 2]]}");
            assertThat(shape.statusCode()).isEqualTo(400);
            assertThat(shape.body()).contains("'x'").contains("[1, 2]");
            var unknown = post(s.port(), "application/json", "{\"inputs\": {\"z\": [[1, 2, 3]]}}");
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("'z'");

            // a DataFrame input (dataframe_split / CSV): records, every output flattened (pandas reshape(-1))
            var df = post(s.port(), "application/json", "{\"dataframe_split\": {\"columns\": [\"a\",\"b\",\"c\"], \"data\": [[1,2,3]]}}");
            assertThat(df.statusCode()).as(df.body()).isEqualTo(200);
            assertThat(JSON.readTree(df.body()).get("predictions").toString())
                    .isEqualTo("[{\"y\":2.0,\"x_copy\":1.0},{\"y\":3.0,\"x_copy\":2.0},{\"y\":4.0,\"x_copy\":3.0}]");
            var csv = post(s.port(), "text/csv", "a,b,c\n1,2,3\n");
            assertThat(csv.body()).isEqualTo(df.body());
        }
    }

    @Test
    void mlvWritesTheFieldsPythonsLoaderReads(@TempDir Path dir) throws Exception {
        var sig = new ModelSignature(List.of(ColSpec.of("a", "double"), ColSpec.of("b", "double"), ColSpec.of("c", "double")),
                List.of(new TensorSpec("y", "float32", List.of(-1L, 3L))));
        ModelPackage.write(OnnxModel.fromBytes(TestModels.addOne()).signature(sig)
                .inputExample(List.of("a", "b", "c"), List.of(List.of(1.0, 2.0, 3.0))), dir, "abc", "model");
        JsonNode ml = ModelPackage.yaml().readTree(dir.resolve("MLmodel").toFile());
        assertThat(ml.path("flavors").path("onnx").path("data").asText()).isEqualTo("model.onnx");
        assertThat(ml.path("flavors").path("onnx").path("providers").toString()).isEqualTo("[\"CUDAExecutionProvider\",\"CPUExecutionProvider\"]");
        assertThat(ml.path("flavors").path("python_function").path("loader_module").asText()).isEqualTo("mlflow.onnx");
        assertThat(ml.path("flavors").path("python_function").path("env").path("virtualenv").asText()).isEqualTo("python_env.yaml");
        assertThat(ml.path("signature").path("inputs").isTextual()).isTrue();
        assertThat(JSON.readTree(ml.path("signature").path("inputs").asText()).get(0).toString())
                .isEqualTo("{\"type\":\"double\",\"name\":\"a\",\"required\":true}");
        assertThat(ml.path("model_uuid").asText()).matches("[0-9a-f]{32}");
        assertThat(ml.path("utc_time_created").asText()).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(ml.path("run_id").asText()).isEqualTo("abc");
        assertThat(ml.path("artifact_path").asText()).isEqualTo("model");
        assertThat(ml.path("saved_input_example_info").path("type").asText()).isEqualTo("dataframe");
        assertThat(dir.resolve("serving_input_example.json")).content().contains("dataframe_split");
        for (String f : List.of("model.onnx", "conda.yaml", "python_env.yaml", "requirements.txt", "input_example.json")) {
            assertThat(dir.resolve(f)).exists();
        }
        // and mlv reads it back, signature included
        MlModel read = MlModel.read(dir);
        assertThat(read.signature()).isEqualTo(sig);
    }
}
