package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model loaded in this JVM, to score without a server: MLflow's {@code mlflow.pyfunc.load_model} for Java, and what
 * {@code mlv models predict} uses. It is the version {@code mlv models serve} would serve for the same URI (files
 * downloaded into the cache and checked against the digests recorded at registration), and its answers are those of
 * the scoring server's {@code /invocations} for the same input, with the same checks against the signature.
 * <pre>{@code
 * try (LocalModel model = LocalModel.load("models:/fraud/Production")) {       // MLV_TRACKING_URI's registry
 *     JsonNode predictions = model.predict(List.of("amount", "age"), List.of(List.of(120.5, 31)));
 * }
 * }</pre>
 * Thread-safe. A stage or alias URI is resolved once, when loading; {@code mlv models serve} follows later moves.
 */
public final class LocalModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LoadedModel model;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalModel(LoadedModel model) {
        this.model = model;
    }

    /**
     * Loads the model {@code modelUri} names ({@code models:/NAME/VERSION|STAGE|latest}, {@code models:/NAME@ALIAS},
     * {@code models:/MODEL_ID}, {@code runs:/RUN_ID/PATH}, or a local model directory) through the tracking server of
     * {@code MLV_TRACKING_URI} (else {@code MLFLOW_TRACKING_URI}), with the default model cache.
     */
    public static LocalModel load(String modelUri) {
        return load(modelUri, null, ModelFetcher.defaultCache());
    }

    /** {@link #load(String)} through {@code trackingUri} (null: the environment's) and {@code cacheDir}. */
    public static LocalModel load(String modelUri, String trackingUri, Path cacheDir) {
        ModelRef ref = ModelRef.parse(modelUri);
        return new LocalModel(ModelServing.load(ref, ModelServing.fetcher(ref, trackingUri, cacheDir), null, null));
    }

    /** The registered model's name (a local directory's folder name). */
    public String name() {
        return model.name();
    }

    /** The version loaded ({@code local} for a local directory). */
    public String version() {
        return model.version();
    }

    /** The model's signature from its {@code MLmodel}, or null when it has none. */
    public ModelSignature signature() {
        return model.mlModel().signature();
    }

    /** Scores {@code rows} of values for {@code columns} (MLflow's {@code dataframe_split}); returns the predictions. */
    public JsonNode predict(List<String> columns, List<? extends List<?>> rows) {
        ObjectNode split = JSON.createObjectNode();
        split.set("columns", JSON.valueToTree(columns));
        split.set("data", JSON.valueToTree(rows));
        ObjectNode body = JSON.createObjectNode();
        body.set("dataframe_split", split);
        try {
            return predictJson(JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("Values that cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Scores a JSON body in any of MLflow's scoring formats; returns the value of its {@code "predictions"}. */
    public JsonNode predictJson(byte[] body) {
        return score(InputParser.parseJson(body, signature()));
    }

    /** Scores CSV with a header row; returns the value of its {@code "predictions"}. */
    public JsonNode predictCsv(byte[] body) {
        return score(InputParser.parseCsv(body));
    }

    private JsonNode score(ScoringInput input) {
        if (!model.acquire()) throw new IllegalStateException("Model " + name() + " version " + version() + " is closed");
        try {
            return Scorer.predict(model, input);
        } finally {
            model.release();
        }
    }

    /** The scoring server's answer body for {@code predictions}: {@code {"predictions": …}}. */
    public static byte[] answer(JsonNode predictions) {
        return Scorer.answer(predictions);
    }

    /** Closes the model's ONNX Runtime session once no call is using it. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) model.release();
    }
}
