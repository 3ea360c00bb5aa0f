package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.artifacts.ArtifactEndpoints;
import dev.mlv.server.ServerContext;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Tag;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

import static dev.mlv.server.Endpoints.mlflowDelete;
import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPatch;
import static dev.mlv.server.Endpoints.mlflowPost;

/**
 * MLflow's model-registry REST API (mlflow/protos/model_registry.proto): registered models, aliases and model
 * versions under {@code /api/2.0/mlflow/} and {@code /ajax-api/2.0/mlflow/}. The acting user comes from
 * {@link RequestUser}.
 */
public final class RegistryEndpoints implements Endpoints {
    public static final int MODELS_DEFAULT_MAX_RESULTS = 100;
    public static final int MODELS_MAX_RESULTS = 1000;
    public static final int VERSIONS_DEFAULT_MAX_RESULTS = 200_000;
    public static final int VERSIONS_MAX_RESULTS = 200_000;

    private final ServerContext ctx;
    private final RegistryStore store;
    private final RegistryService service;

    public RegistryEndpoints(ServerContext ctx, RegistryService service) {
        this.ctx = ctx;
        this.store = ctx.metadata().registry();
        this.service = service;
    }

    @Override
    public void register(RoutesConfig r) {
        mlflowPost(r, "registered-models/create", this::createModel);
        mlflowGet(r, "registered-models/get", cx -> sendModel(cx, store.getRegisteredModel(name(req(cx)))));
        mlflowPost(r, "registered-models/rename", cx -> {
            MlflowRequest q = req(cx);
            sendModel(cx, store.renameRegisteredModel(name(q), q.requiredString("new_name"), RequestUser.of(cx)));
        });
        mlflowPatch(r, "registered-models/update", cx -> {
            MlflowRequest q = req(cx);
            sendModel(cx, store.updateRegisteredModel(name(q), q.string("description"), RequestUser.of(cx)));
        });
        mlflowDelete(r, "registered-models/delete", cx -> {
            store.deleteRegisteredModel(name(req(cx)), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowGet(r, "registered-models/search", this::searchModels);
        mlflowGet(r, "registered-models/get-latest-versions", this::latestVersions);
        mlflowPost(r, "registered-models/get-latest-versions", this::latestVersions);
        mlflowPost(r, "registered-models/set-tag", cx -> {
            MlflowRequest q = req(cx);
            store.setRegisteredModelTag(name(q), new Tag(q.requiredString("key"), value(q)), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowDelete(r, "registered-models/delete-tag", cx -> {
            MlflowRequest q = req(cx);
            store.deleteRegisteredModelTag(name(q), q.requiredString("key"), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowPost(r, "registered-models/alias", cx -> {
            MlflowRequest q = req(cx);
            store.setAlias(name(q), q.requiredString("alias"), q.requiredString("version"), RequestUser.of(cx), q.string("reason"));
            MlflowResponse.empty(cx);
        });
        mlflowDelete(r, "registered-models/alias", cx -> {
            MlflowRequest q = req(cx);
            store.deleteAlias(name(q), q.requiredString("alias"), RequestUser.of(cx), q.string("reason"));
            MlflowResponse.empty(cx);
        });
        mlflowGet(r, "registered-models/alias", cx -> {
            MlflowRequest q = req(cx);
            sendVersion(cx, store.getModelVersionByAlias(name(q), q.requiredString("alias")));
        });

        mlflowPost(r, "model-versions/create", this::createVersion);
        mlflowGet(r, "model-versions/get", cx -> {
            MlflowRequest q = req(cx);
            sendVersion(cx, store.getModelVersion(name(q), q.requiredString("version")));
        });
        mlflowPatch(r, "model-versions/update", cx -> {
            MlflowRequest q = req(cx);
            sendVersion(cx, store.updateModelVersion(name(q), q.requiredString("version"), q.string("description"),
                    RequestUser.of(cx)));
        });
        mlflowDelete(r, "model-versions/delete", cx -> {
            MlflowRequest q = req(cx);
            store.deleteModelVersion(name(q), q.requiredString("version"), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowGet(r, "model-versions/search", this::searchVersions);
        r.get(ArtifactEndpoints.MODEL_VERSION_ARTIFACT, cx -> { // MLflow's route beside its REST API
            MlflowRequest q = req(cx);
            ModelVersion v = store.getModelVersion(name(q), q.requiredString("version"));
            ArtifactEndpoints.send(cx, ctx.artifacts(), ArtifactEndpoints.fileUnder(ctx.artifacts(), service.resolver().downloadUri(v), cx));
        });
        mlflowGet(r, "model-versions/get-download-uri", cx -> {
            MlflowRequest q = req(cx);
            ModelVersion v = store.getModelVersion(name(q), q.requiredString("version"));
            ObjectNode o = MlflowResponse.object();
            o.put("artifact_uri", service.resolver().downloadUri(v));
            MlflowResponse.send(cx, ctx.json(), o);
        });
        mlflowPost(r, "model-versions/set-tag", cx -> {
            MlflowRequest q = req(cx);
            store.setModelVersionTag(name(q), q.requiredString("version"), new Tag(q.requiredString("key"), value(q)),
                    RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowDelete(r, "model-versions/delete-tag", cx -> {
            MlflowRequest q = req(cx);
            store.deleteModelVersionTag(name(q), q.requiredString("version"), q.requiredString("key"), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowPost(r, "model-versions/transition-stage", cx -> {
            MlflowRequest q = req(cx);
            Stage stage = Stage.parse(q.requiredString("stage"));
            sendVersion(cx, store.transitionStage(name(q), q.requiredString("version"), stage,
                    bool(q, "archive_existing_versions"), RequestUser.of(cx), q.string("comment")));
        });
    }

    // ------------------------------------------------------------------ handlers

    private void createModel(Context cx) {
        MlflowRequest q = req(cx);
        sendModel(cx, store.createRegisteredModel(name(q), tags(q), q.string("description"), RequestUser.of(cx)));
    }

    private void searchModels(Context cx) {
        MlflowRequest q = req(cx);
        int max = maxResults(q, MODELS_DEFAULT_MAX_RESULTS, MODELS_MAX_RESULTS);
        Page<RegisteredModel> page = store.searchRegisteredModels(q.string("filter"), max, q.strings("order_by"),
                q.string("page_token"));
        ObjectNode o = MlflowResponse.object();
        MlflowResponse.putAll(o, "registered_models", page.items(), RegistryJson::registeredModel);
        MlflowResponse.put(o, "next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void latestVersions(Context cx) {
        MlflowRequest q = req(cx);
        List<Stage> stages = new ArrayList<>();
        for (String s : q.strings("stages")) stages.add(Stage.parse(s));
        List<ModelVersion> vs = store.getLatestVersions(name(q), stages);
        ObjectNode o = MlflowResponse.object();
        MlflowResponse.putAll(o, "model_versions", vs, RegistryJson::modelVersion);
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void createVersion(Context cx) {
        MlflowRequest q = req(cx);
        String source = q.has("source") ? q.string("source") : null;
        if (source == null || source.isEmpty()) throw MlflowRequest.missing("source");
        sendVersion(cx, service.createVersion(name(q), source, q.string("run_id"), tags(q), q.string("run_link"),
                q.string("description"), RequestUser.of(cx)));
    }

    private void searchVersions(Context cx) {
        MlflowRequest q = req(cx);
        int max = maxResults(q, VERSIONS_DEFAULT_MAX_RESULTS, VERSIONS_MAX_RESULTS);
        Page<ModelVersion> page = store.searchModelVersions(q.string("filter"), max, q.strings("order_by"),
                q.string("page_token"));
        ObjectNode o = MlflowResponse.object();
        MlflowResponse.putAll(o, "model_versions", page.items(), RegistryJson::modelVersion);
        MlflowResponse.put(o, "next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    // ------------------------------------------------------------------ helpers

    /** The request's fields ({@link MlflowRequest#of(Context, com.fasterxml.jackson.databind.ObjectMapper)}). */
    private MlflowRequest req(Context cx) {
        return req(cx, ctx.json());
    }

    static MlflowRequest req(Context cx, com.fasterxml.jackson.databind.ObjectMapper json) {
        return MlflowRequest.of(cx, json);
    }

    static String name(MlflowRequest q) {
        return q.requiredString("name");
    }

    private static String value(MlflowRequest q) {
        if (!q.has("value")) throw MlflowRequest.missing("value");
        return q.string("value");
    }

    static boolean bool(MlflowRequest q, String field) {
        if (!q.has(field)) return false;
        String s = q.string(field).trim();
        if (s.equalsIgnoreCase("true")) return true;
        if (s.equalsIgnoreCase("false")) return false;
        throw MlflowRequest.invalidValue(field, q.fields().get(field), "expected a boolean");
    }

    static List<Tag> tags(MlflowRequest q) {
        List<Tag> out = new ArrayList<>();
        for (ObjectNode t : q.objects("tags")) {
            out.add(new Tag(MlflowRequest.requiredString(t, "key", "tags.key"), MlflowRequest.string(t, "value", "tags.value")));
        }
        return out;
    }

    public static int maxResults(MlflowRequest q, int dflt, int max) {
        Long v = q.int64("max_results");
        if (v == null) return dflt;
        if (v < 1 || v > max) {
            throw MlvException.invalid("Invalid value for request parameter max_results. It must be at most " + max
                    + " and at least 1, but got value " + v);
        }
        return v.intValue();
    }

    private void sendModel(Context cx, RegisteredModel m) {
        ObjectNode o = MlflowResponse.object();
        o.set("registered_model", RegistryJson.registeredModel(m));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void sendVersion(Context cx, ModelVersion v) {
        ObjectNode o = MlflowResponse.object();
        o.set("model_version", RegistryJson.modelVersion(v));
        MlflowResponse.send(cx, ctx.json(), o);
    }
}
