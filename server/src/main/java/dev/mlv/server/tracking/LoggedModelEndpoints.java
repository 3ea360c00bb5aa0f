package dev.mlv.server.tracking;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.tracking.LoggedModel;
import dev.mlv.tracking.LoggedModelQuery;
import dev.mlv.tracking.LoggedModelStatus;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.TrackingStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

import static dev.mlv.server.Endpoints.mlflowDelete;
import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPatch;
import static dev.mlv.server.Endpoints.mlflowPost;
import static dev.mlv.server.MlflowResponse.putAll;
import static dev.mlv.server.tracking.TrackingEndpoints.emptyToNull;
import static dev.mlv.server.tracking.TrackingEndpoints.orEmpty;

/**
 * MLflow 3's logged-model API (service.proto, {@code /mlflow/logged-models…}) and {@code runs/outputs}: what an MLflow
 * 3 client calls from every {@code log_model} (create, outputs, upload of the files to the model's artifact location
 * through the artifact proxy, finalize) and from {@code load_model("models:/m-…")}.
 */
public final class LoggedModelEndpoints implements Endpoints {
    private static final String MODEL = "logged-models/{model_id}";
    static final int MAX_BATCH_GET = 100;
    private final ServerContext ctx;

    public LoggedModelEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig routes) {
        mlflowPost(routes, "logged-models", this::create);
        mlflowPost(routes, "logged-models/search", this::search);
        mlflowGet(routes, "logged-models:batchGet", this::batchGet);
        mlflowGet(routes, MODEL, this::get);
        mlflowPatch(routes, MODEL, this::finalizeModel);
        mlflowDelete(routes, MODEL, this::delete);
        mlflowPatch(routes, MODEL + "/tags", this::setTags);
        mlflowDelete(routes, MODEL + "/tags/{tag_key}", this::deleteTag);
        mlflowPost(routes, MODEL + "/params", this::logParams);
        mlflowGet(routes, MODEL + "/artifacts/directories", this::listArtifacts);
        mlflowPost(routes, "runs/outputs", this::logOutputs);
    }

    private TrackingStore store() {
        return ctx.metadata().tracking();
    }

    private MlflowRequest request(Context cx) {
        return MlflowRequest.of(cx, ctx.json());
    }

    private void sendModel(Context cx, LoggedModel m) {
        ObjectNode out = MlflowResponse.object();
        out.set("model", TrackingJson.loggedModel(m));
        MlflowResponse.send(cx, ctx.json(), out);
    }

    private void create(Context cx) {
        MlflowRequest req = request(cx);
        LoggedModel m = store().createLoggedModel(req.requiredString("experiment_id"), req.string("name"),
                emptyToNull(req.string("model_type")), emptyToNull(req.string("source_run_id")),
                params(req), TrackingEndpoints.tags(req.objects("tags"), "tags"));
        sendModel(cx, m);
    }

    private void get(Context cx) {
        boolean allowDeleted = "true".equalsIgnoreCase(cx.queryParam("allow_deleted"));
        sendModel(cx, store().getLoggedModel(cx.pathParam("model_id"), allowDeleted));
    }

    /**
     * {@code GET logged-models:batchGet?model_ids=…} (what MLflow's UI calls): the models that exist, in the order asked,
     * deleted and unknown ones left out; at most {@value #MAX_BATCH_GET} ids.
     */
    private void batchGet(Context cx) {
        List<String> ids = request(cx).strings("model_ids");
        if (ids.size() > MAX_BATCH_GET) {
            throw MlvException.invalid("At most " + MAX_BATCH_GET + " model_ids may be requested at once, got " + ids.size());
        }
        List<LoggedModel> found = new ArrayList<>();
        for (String id : ids) {
            try {
                found.add(store().getLoggedModel(id, false));
            } catch (MlvException e) {
                if (e.code() != ErrorCode.RESOURCE_DOES_NOT_EXIST) throw e;
            }
        }
        ObjectNode out = MlflowResponse.object();
        putAll(out, "models", found, TrackingJson::loggedModel);
        MlflowResponse.send(cx, ctx.json(), out);
    }

    /** MLflow's finalize: the status is required, by name ({@code LOGGED_MODEL_READY}) or number. */
    private void finalizeModel(Context cx) {
        MlflowRequest req = request(cx);
        String status = req.string("status");
        if (status == null || status.isEmpty()) throw MlflowRequest.missing("status");
        sendModel(cx, store().finalizeLoggedModel(cx.pathParam("model_id"), LoggedModelStatus.parse(status)));
    }

    private void delete(Context cx) {
        store().deleteLoggedModel(cx.pathParam("model_id"));
        MlflowResponse.empty(cx);
    }

    private void setTags(Context cx) {
        MlflowRequest req = request(cx);
        store().setLoggedModelTags(cx.pathParam("model_id"), TrackingEndpoints.tags(req.objects("tags"), "tags"));
        MlflowResponse.empty(cx);
    }

    private void deleteTag(Context cx) {
        store().deleteLoggedModelTag(cx.pathParam("model_id"), cx.pathParam("tag_key"));
        MlflowResponse.empty(cx);
    }

    private void logParams(Context cx) {
        MlflowRequest req = request(cx);
        store().logLoggedModelParams(cx.pathParam("model_id"), params(req));
        MlflowResponse.empty(cx);
    }

    /** The files of a model's artifact directory (or of {@code artifact_directory_path} inside it), one level deep. */
    private void listArtifacts(Context cx) {
        MlflowRequest req = request(cx);
        ArtifactPath relative = ArtifactPath.parse(req.string("artifact_directory_path"));
        LoggedModel m = store().getLoggedModel(cx.pathParam("model_id"), false);
        MlflowResponse.send(cx, ctx.json(), TrackingEndpoints.listing(ctx, m.artifactLocation(), relative,
                "logged model '" + m.modelId() + "'"));
    }

    private void search(Context cx) {
        MlflowRequest req = request(cx);
        if (!req.has("experiment_ids")) throw MlflowRequest.missing("experiment_ids");
        List<LoggedModelQuery.DatasetKey> datasets = new ArrayList<>();
        for (ObjectNode d : req.objects("datasets")) {
            datasets.add(new LoggedModelQuery.DatasetKey(MlflowRequest.string(d, "dataset_name", "datasets.dataset_name"),
                    emptyToNull(MlflowRequest.string(d, "dataset_digest", "datasets.dataset_digest"))));
        }
        List<LoggedModelQuery.Order> orders = new ArrayList<>();
        List<ObjectNode> orderNodes = req.objects("order_by");
        for (int i = 0; i < orderNodes.size(); i++) {
            ObjectNode o = orderNodes.get(i);
            String where = "order_by[" + i + "]";
            orders.add(new LoggedModelQuery.Order(MlflowRequest.requiredString(o, "field_name", where + ".field_name"),
                    !o.has("ascending") || o.get("ascending").asBoolean(true),
                    emptyToNull(MlflowRequest.string(o, "dataset_name", where + ".dataset_name")),
                    emptyToNull(MlflowRequest.string(o, "dataset_digest", where + ".dataset_digest"))));
        }
        // MLflow documents 50 as the limit but does not enforce one; 0 means the store's default of 50
        int max = TrackingEndpoints.maxResults(req, 0, Integer.MAX_VALUE);
        Page<LoggedModel> page = store().searchLoggedModels(new LoggedModelQuery(req.strings("experiment_ids"),
                emptyToNull(req.string("filter")), datasets, orders, max, emptyToNull(req.string("page_token"))));
        ObjectNode out = MlflowResponse.object();
        putAll(out, "models", page.items(), TrackingJson::loggedModel);
        MlflowResponse.put(out, "next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), out);
    }

    /** {@code runs/outputs}: the logged models a run produced, each at a step. */
    private void logOutputs(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.requiredString("run_id");
        if (!req.has("models")) throw MlflowRequest.missing("models");
        List<ModelIo> models = new ArrayList<>();
        List<ObjectNode> nodes = req.objects("models");
        for (int i = 0; i < nodes.size(); i++) {
            String where = "models[" + i + "]";
            Long step = MlflowRequest.int64(nodes.get(i), "step", where + ".step");
            if (step == null) throw MlflowRequest.missing(where + ".step");
            models.add(new ModelIo(MlflowRequest.requiredString(nodes.get(i), "model_id", where + ".model_id"),
                    ModelIo.Direction.OUTPUT, step));
        }
        store().logModelIo(runId, models);
        MlflowResponse.empty(cx);
    }

    private static List<Param> params(MlflowRequest req) {
        List<ObjectNode> nodes = req.objects("params");
        List<Param> params = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String where = "params[" + i + "]";
            params.add(new Param(MlflowRequest.requiredString(nodes.get(i), "key", where + ".key"),
                    orEmpty(MlflowRequest.string(nodes.get(i), "value", where + ".value"))));
        }
        return params;
    }

}
