package dev.mlv.server.auth;

import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission.Action;
import dev.mlv.server.Endpoints;
import dev.mlv.server.artifacts.ArtifactEndpoints;
import dev.mlv.server.ui.UiEndpoints;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.mlv.permissions.Permission.Action.DELETE;
import static dev.mlv.permissions.Permission.Action.MANAGE;
import static dev.mlv.permissions.Permission.Action.READ;
import static dev.mlv.permissions.Permission.Action.UPDATE;
import static dev.mlv.permissions.ResourceType.EXPERIMENT;
import static dev.mlv.permissions.ResourceType.REGISTERED_MODEL;

/**
 * The permission each route needs (MLflow's basic-auth validators, extended to mlv's own routes), keyed by method and
 * route path ({@code /ajax-api/} routes share the {@code /api/} rules). Reading needs {@code READ}; changing needs
 * {@code EDIT}; deleting a run, an experiment, a registered model, a version or an artifact needs {@code MANAGE}, as
 * do a model version tag's and an alias's deletion and managing permissions. Webhooks and users are for
 * administrators. A route absent from the table is for administrators only, so a route added without a rule fails
 * closed; {@code AuthorizationTest} checks that every route the server serves has one.
 */
final class AccessRules {
    /** A route's check; throws {@code PERMISSION_DENIED} to refuse. */
    interface Rule {
        void check(Authorizer.Request r);
    }

    /** What follows a successful call: a creator's grant, a rename, a removal, a filtered listing. */
    interface After {
        void apply(Authorizer.Request r);
    }

    private static final Map<String, Rule> RULES = new HashMap<>();
    private static final Map<String, After> AFTER = new HashMap<>();
    private static final Rule ANY_USER = r -> { };
    private static final Rule ADMINS = Authorizer.Request::admin;
    private static final Rule SELF = r -> {
        if (!r.user.equals(r.args().requiredString("username"))) r.admin();
    };
    
    private AccessRules() {
    }

    static Rule rule(String key) {
        return RULES.get(key);
    }

    static After after(String key) {
        return AFTER.get(key);
    }

    /**
     * The table key of a route: routes under {@code /ajax-api/} have the rules of the same route under {@code /api/},
     * and a {@code HEAD}, which answers what the {@code GET} would without the body, has the {@code GET}'s rule.
     */
    static String key(String method, String path) {
        return ("HEAD".equals(method) ? "GET" : method) + " "
                + (path.startsWith("/ajax-api/") ? "/api/" + path.substring("/ajax-api/".length()) : path);
    }

    /** Every route with a rule (for the test that every served route has one). */
    static Set<String> routes() {
        return Collections.unmodifiableSet(RULES.keySet());
    }

    private static void mlflow(String method, String path, Rule rule) {
        RULES.put(key(method, Endpoints.MLFLOW_API + path), rule);
    }

    private static void mlv(String method, String path, Rule rule) {
        RULES.put(key(method, Endpoints.MLV_API + path), rule);
    }

    private static void afterMlflow(String method, String path, After after) {
        AFTER.put(key(method, Endpoints.MLFLOW_API + path), after);
    }

    private static void afterMlv(String method, String path, After after) {
        AFTER.put(key(method, Endpoints.MLV_API + path), after);
    }

    private static Rule experiment(String field, Action action) {
        return r -> r.experiment(r.args().requiredString(field), action);
    }

    private static Rule experiments(Action action) {
        return r -> r.args().strings("experiment_ids").forEach(id -> r.experiment(id, action));
    }

    private static Rule run(Action action) {
        return r -> r.run(r.args().runId(), action);
    }

    private static Rule runs(Action action) {
        return r -> r.args().strings("run_ids").forEach(id -> r.run(id, action));
    }

    private static Rule model(Action action) {
        return r -> r.model(r.args().requiredString("name"), action);
    }

    private static Rule loggedModel(Action action) {
        return r -> r.loggedModel(r.cx.pathParam("model_id"), action);
    }

    private static Rule uri(Action action) {
        return r -> r.modelUri(r.args().requiredString("uri"), action);
    }

    private static Rule artifact(Action action) {
        return r -> r.artifactPath(ArtifactEndpoints.requestPath(r.cx), action);
    }

    static {
        // ---- experiments and runs (MLflow's service.proto)
        mlflow("POST", "experiments/create", ANY_USER);
        afterMlflow("POST", "experiments/create", r -> r.grantCreator(EXPERIMENT, r.answer().path("experiment_id").asText()));
        mlflow("GET", "experiments/get", experiment("experiment_id", READ));
        mlflow("GET", "experiments/get-by-name", r -> r.tracking().getExperimentByName(r.args().requiredString("experiment_name"))
                .ifPresent(e -> r.experiment(e.experimentId(), READ)));
        for (String method : List.of("GET", "POST")) {
            mlflow(method, "experiments/search", ANY_USER);
            afterMlflow(method, "experiments/search", r -> r.filter("experiments", "/experiment_id", EXPERIMENT));
        }
        mlflow("POST", "experiments/update", experiment("experiment_id", UPDATE));
        mlflow("POST", "experiments/delete", experiment("experiment_id", DELETE));
        mlflow("POST", "experiments/restore", experiment("experiment_id", DELETE));
        mlflow("POST", "experiments/set-experiment-tag", experiment("experiment_id", UPDATE));
        mlflow("POST", "experiments/delete-experiment-tag", experiment("experiment_id", UPDATE));
        mlflow("POST", "runs/create", r -> r.experiment(r.args().has("experiment_id")
                ? r.args().requiredString("experiment_id") : "0", UPDATE));
        mlflow("GET", "runs/get", run(READ));
        for (String path : List.of("runs/update", "runs/log-metric", "runs/log-parameter", "runs/set-tag", "runs/delete-tag",
                "runs/log-batch", "runs/log-inputs", "runs/log-model", "runs/outputs")) {
            mlflow("POST", path, run(UPDATE));
        }
        mlflow("POST", "runs/delete", run(DELETE));
        mlflow("POST", "runs/restore", run(DELETE));
        mlflow("POST", "runs/search", experiments(READ));
        mlflow("GET", "metrics/get-history", run(READ));
        mlflow("GET", "metrics/get-history-bulk", runs(READ));
        mlflow("GET", "metrics/get-history-bulk-interval", runs(READ));
        mlflow("GET", "artifacts/list", run(READ));
        mlflow("POST", ArtifactEndpoints.PRESIGNED_DOWNLOAD, run(READ));
        mlflow("POST", ArtifactEndpoints.PRESIGNED_UPLOAD, r -> {
            String model = r.args().string("model_id");
            if (model != null && !model.isEmpty()) r.loggedModel(model, UPDATE);
            else r.run(r.args().runId(), UPDATE);
        });

        // ---- logged models (MLflow 3)
        mlflow("POST", "logged-models", experiment("experiment_id", UPDATE));
        mlflow("POST", "logged-models/search", experiments(READ));
        mlflow("GET", "logged-models:batchGet", ANY_USER);
        afterMlflow("GET", "logged-models:batchGet", r -> r.filter("models", "/info/experiment_id", EXPERIMENT));
        mlflow("GET", "logged-models/{model_id}", loggedModel(READ));
        mlflow("PATCH", "logged-models/{model_id}", loggedModel(UPDATE));
        mlflow("DELETE", "logged-models/{model_id}", loggedModel(DELETE));
        mlflow("PATCH", "logged-models/{model_id}/tags", loggedModel(UPDATE));
        mlflow("DELETE", "logged-models/{model_id}/tags/{tag_key}", loggedModel(DELETE));
        mlflow("POST", "logged-models/{model_id}/params", loggedModel(UPDATE));
        mlflow("GET", "logged-models/{model_id}/artifacts/directories", loggedModel(READ));

        // ---- the artifact proxy: the first path segment is the experiment
        for (String base : List.of(ArtifactEndpoints.API_PREFIX, ArtifactEndpoints.API_PREFIX + "/<path>")) {
            RULES.put(key("GET", base), artifact(READ));
            RULES.put(key("PUT", base), artifact(UPDATE));
            RULES.put(key("DELETE", base), artifact(DELETE));
        }
        for (String action : List.of("create", "complete", "abort")) {
            RULES.put(key("POST", "/api/2.0/mlflow-artifacts/mpu/" + action + "/<path>"), artifact(UPDATE));
        }
        RULES.put(key("GET", ArtifactEndpoints.RUN_ARTIFACT), run(READ));
        RULES.put(key("GET", ArtifactEndpoints.MODEL_VERSION_ARTIFACT), model(READ));

        // ---- the model registry (MLflow's model_registry.proto)
        mlflow("POST", "registered-models/create", ANY_USER);
        afterMlflow("POST", "registered-models/create", r -> r.grantCreator(REGISTERED_MODEL, r.args().requiredString("name")));
        mlflow("GET", "registered-models/get", model(READ));
        mlflow("POST", "registered-models/rename", model(UPDATE));
        afterMlflow("POST", "registered-models/rename", r -> r.grants().renameModel(r.args().requiredString("name"),
                r.args().requiredString("new_name"), r.user));
        mlflow("PATCH", "registered-models/update", model(UPDATE));
        mlflow("DELETE", "registered-models/delete", model(DELETE));
        afterMlflow("DELETE", "registered-models/delete", r -> r.grants().deleteAll(REGISTERED_MODEL,
                r.args().requiredString("name"), r.user));
        mlflow("GET", "registered-models/search", ANY_USER);
        afterMlflow("GET", "registered-models/search", r -> r.filter("registered_models", "/name", REGISTERED_MODEL));
        mlflow("GET", "registered-models/get-latest-versions", model(READ));
        mlflow("POST", "registered-models/get-latest-versions", model(READ));
        mlflow("POST", "registered-models/set-tag", model(UPDATE));
        mlflow("DELETE", "registered-models/delete-tag", model(UPDATE));
        mlflow("POST", "registered-models/alias", model(UPDATE));
        mlflow("DELETE", "registered-models/alias", model(DELETE));
        mlflow("GET", "registered-models/alias", model(READ));
        // registering a version needs EDIT on the model and READ on the run (or logged model) it comes from
        mlflow("POST", "model-versions/create", r -> {
            r.model(r.args().requiredString("name"), UPDATE);
            String runId = r.args().string("run_id");
            if (runId != null && !runId.isEmpty()) r.run(runId, READ);
            r.source(r.args().string("source"), READ);
        });
        mlflow("GET", "model-versions/get", model(READ));
        mlflow("PATCH", "model-versions/update", model(UPDATE));
        mlflow("DELETE", "model-versions/delete", model(DELETE));
        mlflow("GET", "model-versions/search", ANY_USER);
        afterMlflow("GET", "model-versions/search", r -> r.filter("model_versions", "/name", REGISTERED_MODEL));
        mlflow("GET", "model-versions/get-download-uri", model(READ));
        mlflow("POST", "model-versions/set-tag", model(UPDATE));
        mlflow("DELETE", "model-versions/delete-tag", model(DELETE));
        mlflow("POST", "model-versions/transition-stage", model(UPDATE));

        // ---- permissions and users (MLflow's basic-auth routes)
        Map.of("POST", "create", "GET", "get", "PATCH", "update", "DELETE", "delete").forEach((method, action) -> {
            mlflow(method, "experiments/permissions/" + action, experiment("experiment_id", MANAGE));
            mlflow(method, "registered-models/permissions/" + action, model(MANAGE));
        });
        mlflow("GET", "users/get", SELF);
        mlflow("PATCH", "users/update-password", SELF);
        mlflow("POST", "users/create", ADMINS);
        mlflow("PATCH", "users/update-admin", ADMINS);
        mlflow("DELETE", "users/delete", ADMINS);

        // ---- mlv's registry, lineage and audit routes
        mlv("GET", "registered-models/history", model(READ));
        mlv("POST", "registered-models/rollback", model(UPDATE));
        mlv("POST", "model-versions/promote", model(UPDATE));
        mlv("POST", "model-versions/approve", model(UPDATE));
        mlv("GET", "model-versions/pending", ANY_USER);
        afterMlv("GET", "model-versions/pending", r -> r.filter("pending", "/name", REGISTERED_MODEL));
        mlv("GET", "model-versions/files", model(READ));
        mlv("GET", "audit/events", ANY_USER);
        afterMlv("GET", "audit/events", r -> r.filter("events", "/model", REGISTERED_MODEL));
        mlv("GET", "audit/verify", ANY_USER);
        mlv("GET", "models/resolve", uri(READ));
        mlv("GET", "models/metadata", uri(READ));
        afterMlv("GET", "models/metadata", r -> r.showsRun("/run_id"));
        mlv("GET", "models/lineage", uri(READ));
        afterMlv("GET", "models/lineage", r -> r.showsRun("/model_version/run/run_id"));

        // ---- the data remote: content-addressed objects, shared by the server's users
        mlv("POST", "data/missing", ANY_USER);
        mlv("PUT", "data/objects/{name}", ANY_USER);
        mlv("POST", "data/objects", ANY_USER);
        mlv("POST", "data/fetch", ANY_USER);
        mlv("GET", "data/objects/{name}", ANY_USER);

        // ---- the web UI: the same permissions, its lists filtered by the pages themselves (Authorizer.mayRead)
        RULES.put(key("GET", "/"), ANY_USER);
        RULES.put(key("GET", "/ui"), ANY_USER);
        RULES.put(key("GET", "/ui/experiment"), experiment("experiment_id", READ));
        RULES.put(key("GET", "/ui/run"), run(READ));
        RULES.put(key("GET", "/ui/artifact"), run(READ));
        RULES.put(key("GET", "/ui/compare"), r -> r.cx.queryParams("run_ids").forEach(id -> r.run(id, READ)));
        RULES.put(key("GET", "/ui/model"), model(READ));
        RULES.put(key("GET", "/ui/model-version"), model(READ));
        // its forms change the registry as the API does, the model named in the query
        for (String form : List.of(UiEndpoints.MOVE_STAGE, UiEndpoints.SET_ALIAS, UiEndpoints.ROLL_BACK, UiEndpoints.APPROVE,
                UiEndpoints.DESCRIBE, UiEndpoints.TAG)) {
            RULES.put(key("POST", form), r -> {
                String name = r.cx.queryParam("name");
                if (name == null || name.isBlank()) throw MlvException.invalid("Missing value for required parameter 'name'");
                r.model(name, UPDATE);
            });
        }

        // ---- operations
        RULES.put(key("GET", "/metrics"), ANY_USER);
        // webhooks and their deliveries carry every registry event, whatever the model
        mlflow("POST", "webhooks", ADMINS);
        mlflow("GET", "webhooks", ADMINS);
        for (String method : List.of("GET", "PATCH", "DELETE")) mlflow(method, "webhooks/{webhook_id}", ADMINS);
        mlflow("POST", "webhooks/{webhook_id}/test", ADMINS);
        mlv("GET", "webhooks/deliveries", ADMINS);
        mlv("POST", "webhooks/deliveries/redeliver", ADMINS);
    }
}
