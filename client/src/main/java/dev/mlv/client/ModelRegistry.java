package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.client.model.LoggedModel;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelUri;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.PromotionGates;
import dev.mlv.registry.Stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model registry of a tracking server ({@link MlvClient#registry()}): MLflow's registry calls, and mlv's metric-gated
 * promotion and rollback. Every change is recorded in the server's history and audit log under the client's user.
 * <pre>{@code
 * ModelVersion v = client.registerModel("fraud", run.logModel("model", onnx).modelUri());
 * Promotion p = client.registry().promote("fraud", v.version(), Stage.PRODUCTION, List.of("metrics.auc >= 0.9"), "better AUC");
 * client.registry().rollback("fraud", Stage.PRODUCTION, "latency regression");   // the previous version serves again
 * }</pre>
 */
public final class ModelRegistry {
    private static final String MLFLOW = "/api/2.0/mlflow/";
    private static final String MLV = "/api/2.0/mlv/";

    private final RestClient rest;

    /** The registry of the server {@code rest} talks to, acting with {@code rest}'s credentials and headers. */
    public ModelRegistry(RestClient rest) {
        this.rest = rest;
    }

    /** The outcome of {@link #promote}: each gate's check, and whether the version moved or awaits approval. */
    public record Promotion(boolean promoted, boolean pendingApproval, List<PromotionGates.Check> checks,
                            ModelVersion modelVersion) {
    }

    /**
     * A new version of registered model {@code name} from {@code source} ({@code runs:/<run_id>/<path>},
     * {@code models:/...}, or a location in the server's artifact store), creating the registered model when it does
     * not exist yet, as MLflow's {@code mlflow.register_model} does. A {@code runs:/} source names the version's run.
     * The server records the digest of every file, and the version is {@code READY} when this returns.
     */
    public ModelVersion register(String name, String source) {
        return register(name, source, null, null, Map.of());
    }

    /**
     * {@link #register(String, String)} with the version's run ({@code runId}, null to take it from a {@code runs:/}
     * source), {@code description} (or null) and {@code tags}.
     */
    public ModelVersion register(String name, String source, String runId, String description, Map<String, String> tags) {
        if (source.regionMatches(true, 0, "runs:/", 0, 6)) {
            // checked before anything is created, so a bad source leaves no empty registered model behind
            String run = ModelUri.parse(source).runId();
            if (runId != null && !runId.equals(run)) throw MlvException.invalid("Run id " + runId + " differs from the run of " + source);
            runId = run;
        }
        try {
            rest.post(MLFLOW + "registered-models/create", RestClient.object().put("name", name));
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
        }
        ObjectNode body = RestClient.object().put("name", name).put("source", source);
        if (runId != null) body.put("run_id", runId);
        if (description != null) body.put("description", description);
        if (!tags.isEmpty()) {
            ArrayNode t = body.putArray("tags");
            tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        }
        return modelVersion(rest.post(MLFLOW + "model-versions/create", body).path("model_version"));
    }

    /** {@link #register(String, String)} for a model this client logged. */
    public ModelVersion register(String name, LoggedModel model) {
        return register(name, model.modelUri());
    }

    /** Version {@code version} of {@code name}; {@code RESOURCE_DOES_NOT_EXIST} when there is none. */
    public ModelVersion get(String name, String version) {
        return modelVersion(rest.get(MLFLOW + "model-versions/get", Map.of("name", name, "version", version))
                .path("model_version"));
    }

    /** Every version of {@code name}, newest first (none when the model does not exist). */
    public List<ModelVersion> versions(String name) {
        String filter = "name = " + quote(name);
        return MlvClient.everyPage("model_versions", ModelRegistry::modelVersion, token -> {
            Map<String, Object> q = new java.util.HashMap<>(Map.of("filter", filter, "order_by", "version_number DESC"));
            q.put("page_token", token);
            return rest.get(MLFLOW + "model-versions/search", q);
        });
    }

    /** The version alias {@code alias} of {@code name} points at; {@code RESOURCE_DOES_NOT_EXIST} when none. */
    public ModelVersion byAlias(String name, String alias) {
        return modelVersion(rest.get(MLFLOW + "registered-models/alias", Map.of("name", name, "alias", alias))
                .path("model_version"));
    }

    /** The newest version of {@code name} in {@code stage}, if any. */
    public Optional<ModelVersion> latest(String name, Stage stage) {
        JsonNode r = rest.post(MLFLOW + "registered-models/get-latest-versions",
                Map.of("name", name, "stages", List.of(stage.display())));
        for (JsonNode v : r.path("model_versions")) return Optional.of(modelVersion(v));
        return Optional.empty();
    }

    /** Points {@code alias} of {@code name} at {@code version} (moving it if it pointed elsewhere). */
    public void setAlias(String name, String alias, String version) {
        rest.post(MLFLOW + "registered-models/alias", Map.of("name", name, "alias", alias, "version", version));
    }

    /** Removes {@code alias} from {@code name}. */
    public void deleteAlias(String name, String alias) {
        String q = "?name=" + RestClient.enc(name) + "&alias=" + RestClient.enc(alias);
        rest.delete(MLFLOW + "registered-models/alias" + q, RestClient.object().put("name", name).put("alias", alias));
    }

    /** MLflow's stage transition, without gates; {@code archiveExisting} archives the versions now in {@code stage}. */
    public ModelVersion transition(String name, String version, Stage stage, boolean archiveExisting) {
        ObjectNode body = RestClient.object().put("name", name).put("version", version).put("stage", stage.display())
                .put("archive_existing_versions", archiveExisting);
        return modelVersion(rest.post(MLFLOW + "model-versions/transition-stage", body).path("model_version"));
    }

    /**
     * Moves {@code version} into {@code stage} only if every gate in {@code requirements} passes (such as
     * {@code "metrics.accuracy >= 0.9"} or {@code "params.optimizer == adam"}, read from the version's run), and its
     * files still match the digests recorded at registration. The versions now in {@code stage} are archived. When a
     * gate fails nothing changes, and {@link Promotion#checks()} says which gate and why; on a server that requires a
     * second person's approval for the stage, {@link Promotion#pendingApproval()} is true instead.
     */
    public Promotion promote(String name, String version, Stage stage, List<String> requirements, String reason) {
        ObjectNode body = RestClient.object().put("name", name).put("version", version).put("stage", stage.display())
                .put("archive_existing_versions", true);
        requirements.forEach(body.putArray("requirements")::add);
        if (reason != null) body.put("reason", reason);
        JsonNode r = rest.post(MLV + "model-versions/promote", body);
        List<PromotionGates.Check> checks = new ArrayList<>();
        for (JsonNode c : r.path("checks")) {
            checks.add(new PromotionGates.Check(c.path("gate").asText(), c.path("passed").asBoolean(), c.path("detail").asText()));
        }
        return new Promotion(r.path("promoted").asBoolean(), r.path("pending_approval").asBoolean(), checks,
                modelVersion(r.path("model_version")));
    }

    /**
     * Puts the version that held {@code stage} before the last move back into it (no retraining, no copy), and
     * returns that version. {@code INVALID_PARAMETER_VALUE} when the stage has no earlier version.
     */
    public ModelVersion rollback(String name, Stage stage, String reason) {
        return rollback(RestClient.object().put("name", name).put("stage", stage.display()), reason);
    }

    /** Points {@code alias} back at the version it named before its last move, and returns that version. */
    public ModelVersion rollbackAlias(String name, String alias, String reason) {
        return rollback(RestClient.object().put("name", name).put("alias", alias), reason);
    }

    private ModelVersion rollback(ObjectNode body, String reason) {
        if (reason != null) body.put("reason", reason);
        return modelVersion(rest.post(MLV + "registered-models/rollback", body).path("model_version"));
    }

    /** An MLflow search-filter string literal for {@code value}. */
    public static String quote(String value) {
        return value.contains("'") ? "\"" + value.replace("\"", "\\\"") + "\"" : "'" + value + "'";
    }

    /** MLflow's {@code model_version} JSON as the core record. */
    static ModelVersion modelVersion(JsonNode v) {
        List<String> aliases = new ArrayList<>();
        for (JsonNode a : v.path("aliases")) aliases.add(a.asText());
        return new ModelVersion(v.path("name").asText(), v.path("version").asText(), v.path("creation_timestamp").asLong(),
                v.path("last_updated_timestamp").asLong(), TrackingJson.text(v, "user_id"),
                Stage.parse(v.path("current_stage").asText("None")), TrackingJson.text(v, "description"),
                TrackingJson.text(v, "source"), TrackingJson.text(v, "run_id"), TrackingJson.text(v, "run_link"),
                v.path("status").asText(ModelVersion.READY), TrackingJson.tags(v.path("tags")), aliases, null);
    }
}
