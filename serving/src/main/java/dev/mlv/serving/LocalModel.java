package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

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
 * Thread-safe. {@link #load} resolves a stage or alias URI once; {@link #follow} keeps following it, as
 * {@code mlv models serve} does: a promotion or rollback reaches the process within a poll, calls in flight finish on
 * the version they started on, and none fails.
 */
public final class LocalModel implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ModelSlot slot = new ModelSlot();
    private final RegistryFollower follower;

    private LocalModel(LoadedModel first, ModelRef ref, ModelFetcher fetcher, Duration poll) {
        slot.swap(first);
        this.follower = poll == null ? null : RegistryFollower.start(ref, fetcher, poll, slot::peek, slot::swap);
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
        return open(modelUri, trackingUri, cacheDir, null);
    }

    /**
     * {@link #load(String)}, then for a stage, alias or {@code latest} URI follows the registry: every
     * {@link ModelServing#DEFAULT_POLL}, the URI is resolved again, and another version is loaded fully, then swapped in.
     */
    public static LocalModel follow(String modelUri) {
        return follow(modelUri, null, ModelFetcher.defaultCache(), ModelServing.DEFAULT_POLL);
    }

    /** {@link #follow(String)} through {@code trackingUri} (null: the environment's) and {@code cacheDir}, polling every {@code poll}. */
    public static LocalModel follow(String modelUri, String trackingUri, Path cacheDir, Duration poll) {
        return open(modelUri, trackingUri, cacheDir, poll);
    }

    private static LocalModel open(String modelUri, String trackingUri, Path cacheDir, Duration poll) {
        ModelRef ref = ModelRef.parse(modelUri);
        ModelFetcher fetcher = ModelServing.fetcher(ref, trackingUri, cacheDir);
        return new LocalModel(ModelServing.load(ref, fetcher, null, null), ref, fetcher, poll);
    }

    /** The registered model's name (a local directory's folder name). */
    public String name() {
        return current().name();
    }

    /** The version that answers now ({@code local} for a local directory). */
    public String version() {
        return current().version();
    }

    /** The signature, from the {@code MLmodel} of the version that answers now; null when it has none. */
    public ModelSignature signature() {
        return current().mlModel().signature();
    }

    private LoadedModel current() {
        LoadedModel m = slot.peek();
        if (m == null) throw new IllegalStateException("The model is closed");
        return m;
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
        return score(m -> InputParser.parseJson(body, m.mlModel().signature()));
    }

    /** Scores CSV with a header row; returns the value of its {@code "predictions"}. */
    public JsonNode predictCsv(byte[] body) {
        return score(m -> InputParser.parseCsv(body));
    }

    /** Parses and scores on one version, held until the answer is made (a swap meanwhile waits for it to close). */
    private JsonNode score(Function<LoadedModel, ScoringInput> parse) {
        JsonNode answer = slot.withModel(m -> Scorer.predict(m, parse.apply(m)));
        if (answer == null) throw new IllegalStateException("The model is closed");
        return answer;
    }

    /** The scoring server's answer body for {@code predictions}: {@code {"predictions": …}}. */
    public static byte[] answer(JsonNode predictions) {
        return Scorer.answer(predictions);
    }

    /** Stops following the registry; the ONNX Runtime session closes once no call is using it. */
    @Override
    public void close() {
        if (follower != null) follower.close();
        slot.close();
    }
}
