package dev.mlv.client.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Writes an {@link OnnxModel} as an MLflow model directory, the same layout {@code mlflow.onnx.save_model} produces:
 * {@code MLmodel} (flavors {@code onnx} and {@code python_function}), {@code model.onnx}, the Python environment
 * files MLflow writes ({@code conda.yaml}, {@code python_env.yaml}, {@code requirements.txt}), the input example
 * files, plus mlv's {@code environment.json} and any extra files (e.g. {@code provenance.json}).
 */
public final class ModelPackage {
    public static final String MLMODEL = "MLmodel";
    public static final String MODEL_FILE = "model.onnx";
    /** MLflow release whose MLmodel layout this writer follows. */
    public static final String MLFLOW_VERSION = "2.17.2";
    /** ONNX (spec) release matching the ONNX Runtime that mlv serves with. */
    public static final String ONNX_VERSION = "1.17.0";
    private static final String PYTHON_VERSION = "3.10.12";
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelPackage() {
    }

    /** The YAML mapper used for MLmodel files (also for reading them). */
    public static ObjectMapper yaml() {
        return YAML;
    }

    /**
     * Writes the model directory into {@code dir} (created if missing) and returns the MLmodel content as written.
     * {@code runId} and {@code artifactPath} may be null for a model saved outside a run.
     */
    public static Map<String, Object> write(OnnxModel model, Path dir, String runId, String artifactPath) {
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(MODEL_FILE), model.onnxBytes());

            Map<String, Object> onnx = new TreeMap<>();
            onnx.put("code", null);
            onnx.put("data", MODEL_FILE);
            onnx.put("onnx_session_options", null);
            onnx.put("onnx_version", ONNX_VERSION);
            onnx.put("providers", model.providers());
            Map<String, Object> pyfunc = new TreeMap<>();
            pyfunc.put("data", MODEL_FILE);
            pyfunc.put("env", new TreeMap<>(Map.of("conda", "conda.yaml", "virtualenv", "python_env.yaml")));
            pyfunc.put("loader_module", "mlflow.onnx");
            pyfunc.put("python_version", PYTHON_VERSION);
            Map<String, Object> flavors = new TreeMap<>();
            flavors.put("onnx", onnx);
            flavors.put("python_function", pyfunc);

            Map<String, Object> ml = new TreeMap<>();
            if (artifactPath != null) ml.put("artifact_path", artifactPath);
            ml.put("flavors", flavors);
            if (!model.metadata().isEmpty()) ml.put("metadata", new LinkedHashMap<>(model.metadata()));
            ml.put("mlflow_version", MLFLOW_VERSION);
            ml.put("model_uuid", UUID.randomUUID().toString().replace("-", ""));
            if (runId != null) ml.put("run_id", runId);
            if (model.exampleColumns() != null) {
                Map<String, Object> split = new LinkedHashMap<>();
                split.put("columns", model.exampleColumns());
                split.put("data", model.exampleRows());
                Files.write(dir.resolve("input_example.json"), JSON.writeValueAsBytes(split));
                Files.write(dir.resolve("serving_input_example.json"), JSON.writeValueAsBytes(Map.of("dataframe_split", split)));
                Map<String, Object> info = new TreeMap<>();
                info.put("artifact_path", "input_example.json");
                info.put("pandas_orient", "split");
                info.put("serving_input_path", "serving_input_example.json");
                info.put("type", "dataframe");
                ml.put("saved_input_example_info", info);
            }
            if (model.signature() != null) ml.put("signature", model.signature().toMlModel());
            ml.put("utc_time_created", LocalDateTime.now(ZoneOffset.UTC).format(UTC_TIME));

            for (var e : model.extraFiles().entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
            if (model.environment() != null) {
                Files.write(dir.resolve("environment.json"), JSON.writeValueAsBytes(model.environment()));
            }
            writePythonEnv(dir);
            ml.put("model_size_bytes", sizeOf(dir));
            YAML.writeValue(dir.resolve(MLMODEL).toFile(), new TreeMap<>(ml));
            return ml;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write model package to " + dir, e);
        }
    }

    private static void writePythonEnv(Path dir) throws IOException {
        List<String> reqs = List.of("mlflow==" + MLFLOW_VERSION, "onnx==" + ONNX_VERSION, "onnxruntime");
        Files.writeString(dir.resolve("requirements.txt"), String.join("\n", reqs), StandardCharsets.UTF_8);
        Map<String, Object> conda = new LinkedHashMap<>();
        conda.put("channels", List.of("conda-forge"));
        conda.put("dependencies", List.of("python=" + PYTHON_VERSION, "pip<=24.2", Map.of("pip", reqs)));
        conda.put("name", "mlflow-env");
        YAML.writeValue(dir.resolve("conda.yaml").toFile(), conda);
        Map<String, Object> pyEnv = new LinkedHashMap<>();
        pyEnv.put("python", PYTHON_VERSION);
        pyEnv.put("build_dependencies", List.of("pip==24.2", "setuptools", "wheel"));
        pyEnv.put("dependencies", List.of("-r requirements.txt"));
        YAML.writeValue(dir.resolve("python_env.yaml").toFile(), pyEnv);
    }

    private static long sizeOf(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
