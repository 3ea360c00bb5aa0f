package dev.mlv.client.model;

import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An ONNX model to log in MLflow's {@code onnx} flavor:
 * {@code run.logModel("model", OnnxModel.fromFile(path).signature(sig).inputExample(cols, rows))}.
 * Mutable builder; {@link ModelPackage#write} turns it into a model directory.
 */
public final class OnnxModel {
    /** MLflow's default execution providers for the onnx flavor. */
    public static final List<String> DEFAULT_PROVIDERS = List.of("CUDAExecutionProvider", "CPUExecutionProvider");

    private final byte[] onnxBytes;
    private ModelSignature signature;
    private List<String> exampleColumns;
    private List<List<Object>> exampleRows;
    private List<String> providers = DEFAULT_PROVIDERS;
    private final Map<String, byte[]> extraFiles = new LinkedHashMap<>();
    private final Map<String, Object> metadata = new LinkedHashMap<>();
    private Object environment;

    private OnnxModel(byte[] onnxBytes) {
        if (onnxBytes.length == 0) throw MlvException.invalid("Empty ONNX model");
        this.onnxBytes = onnxBytes;
    }

    public static OnnxModel fromFile(Path path) {
        try {
            return new OnnxModel(Files.readAllBytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read ONNX model " + path, e);
        }
    }

    public static OnnxModel fromBytes(byte[] onnx) {
        return new OnnxModel(onnx.clone());
    }

    public OnnxModel signature(ModelSignature signature) {
        this.signature = signature;
        return this;
    }

    /** An input example in pandas "split" orientation: column names and rows of values. */
    public OnnxModel inputExample(List<String> columns, List<? extends List<?>> rows) {
        this.exampleColumns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<?> r : rows) copy.add(new ArrayList<>(r));
        this.exampleRows = copy;
        return this;
    }

    public OnnxModel providers(List<String> providers) {
        this.providers = List.copyOf(providers);
        return this;
    }

    /** A file written beside {@code MLmodel} (e.g. {@code provenance.json}); {@code name} is a plain file name. */
    public OnnxModel extraFile(String name, byte[] content) {
        if (name.isBlank() || name.contains("/") || name.contains("\\") || name.startsWith(".") || name.equals("MLmodel")
                || name.equals(ModelPackage.MODEL_FILE)) {
            throw MlvException.invalid("Invalid extra file name '" + name + "'");
        }
        extraFiles.put(name, content.clone());
        return this;
    }

    /** Free-form {@code metadata:} of the MLmodel file (MLflow's {@code metadata} argument). */
    public OnnxModel metadata(String key, Object value) {
        metadata.put(Objects.requireNonNull(key), value);
        return this;
    }

    /** The environment record stored as {@code environment.json} (any Jackson-serialisable value). */
    public OnnxModel environment(Object environment) {
        this.environment = environment;
        return this;
    }

    byte[] onnxBytes() {
        return onnxBytes;
    }

    public ModelSignature signature() {
        return signature;
    }

    List<String> exampleColumns() {
        return exampleColumns;
    }

    List<List<Object>> exampleRows() {
        return exampleRows;
    }

    List<String> providers() {
        return providers;
    }

    Map<String, byte[]> extraFiles() {
        return extraFiles;
    }

    Map<String, Object> metadata() {
        return metadata;
    }

    Object environment() {
        return environment;
    }
}
