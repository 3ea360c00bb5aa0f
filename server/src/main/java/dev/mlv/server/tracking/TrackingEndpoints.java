package dev.mlv.server.tracking;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.errors.MlvException;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.server.artifacts.ProxiedArtifactUri;
import dev.mlv.tracking.Dataset;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.ExperimentQuery;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.ModelMetric;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.RunQuery;
import dev.mlv.tracking.RunStatus;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.tracking.ViewType;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPost;
import static dev.mlv.server.MlflowResponse.putAll;

/**
 * MLflow's tracking REST API (mlflow/protos/service.proto): experiments, runs, metrics, params, tags, dataset inputs,
 * metric history and run artifact listings, under {@code /api/2.0/mlflow/} and {@code /ajax-api/2.0/mlflow/}.
 * Handlers only translate between proto-JSON and the {@link TrackingStore}; the store validates and decides.
 */
public final class TrackingEndpoints implements Endpoints {
    private static final List<String> VIEW_TYPES = List.of("ACTIVE_ONLY", "DELETED_ONLY", "ALL");
    private static final List<String> RUN_STATUSES = List.of("RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED");
    /** MLflow's MAX_BATCH_LOG_REQUEST_SIZE. */
    public static final long MAX_BATCH_LOG_REQUEST_SIZE = 1_048_576;

    private final ServerContext ctx;

    public TrackingEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig routes) {
        mlflowPost(routes, "experiments/create", this::createExperiment);
        mlflowGet(routes, "experiments/get", this::getExperiment);
        mlflowGet(routes, "experiments/get-by-name", this::getExperimentByName);
        mlflowGet(routes, "experiments/search", this::searchExperiments);
        mlflowPost(routes, "experiments/search", this::searchExperiments);
        mlflowPost(routes, "experiments/update", this::updateExperiment);
        mlflowPost(routes, "experiments/delete", this::deleteExperiment);
        mlflowPost(routes, "experiments/restore", this::restoreExperiment);
        mlflowPost(routes, "experiments/set-experiment-tag", this::setExperimentTag);
        mlflowPost(routes, "experiments/delete-experiment-tag", this::deleteExperimentTag);

        mlflowPost(routes, "runs/create", this::createRun);
        mlflowGet(routes, "runs/get", this::getRun);
        mlflowPost(routes, "runs/update", this::updateRun);
        mlflowPost(routes, "runs/delete", this::deleteRun);
        mlflowPost(routes, "runs/restore", this::restoreRun);
        mlflowPost(routes, "runs/search", this::searchRuns);
        mlflowPost(routes, "runs/log-metric", this::logMetric);
        mlflowPost(routes, "runs/log-parameter", this::logParam);
        mlflowPost(routes, "runs/set-tag", this::setTag);
        mlflowPost(routes, "runs/delete-tag", this::deleteTag);
        mlflowPost(routes, "runs/log-batch", this::logBatch);
        mlflowPost(routes, "runs/log-inputs", this::logInputs);
        mlflowPost(routes, "runs/log-model", this::logModel);

        mlflowGet(routes, "metrics/get-history", this::getMetricHistory);
        mlflowGet(routes, "metrics/get-history-bulk", this::getMetricHistoryBulk);
        mlflowGet(routes, "metrics/get-history-bulk-interval", this::getMetricHistoryBulkInterval);
        mlflowGet(routes, "artifacts/list", this::listArtifacts);
    }

    private TrackingStore store() {
        return ctx.metadata().tracking();
    }

    private MlflowRequest request(Context cx) {
        return MlflowRequest.of(cx, ctx.json());
    }

    private void send(Context cx, ObjectNode body) {
        MlflowResponse.send(cx, ctx.json(), body);
    }

    // ---- experiments

    private void createExperiment(Context cx) {
        MlflowRequest req = request(cx);
        String name = req.requiredString("name");
        String location = req.string("artifact_location");
        validateArtifactLocation(location);
        List<Tag> tags = tags(req.objects("tags"), "tags");
        String id = store().createExperiment(name, location == null || location.isEmpty() ? null : location, tags);
        ObjectNode out = MlflowResponse.object();
        out.put("experiment_id", id);
        send(cx, out);
    }

    private void getExperiment(Context cx) {
        MlflowRequest req = request(cx);
        Experiment e = store().getExperiment(req.requiredString("experiment_id"));
        ObjectNode out = MlflowResponse.object();
        out.set("experiment", TrackingJson.experiment(e));
        send(cx, out);
    }

    private void getExperimentByName(Context cx) {
        MlflowRequest req = request(cx);
        String name = req.requiredString("experiment_name");
        Experiment e = store().getExperimentByName(name)
                .orElseThrow(() -> MlvException.notFound("Could not find experiment with name '" + name + "'"));
        ObjectNode out = MlflowResponse.object();
        out.set("experiment", TrackingJson.experiment(e));
        send(cx, out);
    }

    private void searchExperiments(Context cx) {
        MlflowRequest req = request(cx);
        int max = maxResults(req, ExperimentQuery.DEFAULT_MAX_RESULTS, ExperimentQuery.MAX_RESULTS_LIMIT);
        ExperimentQuery q = new ExperimentQuery(emptyToNull(req.string("filter")), req.strings("order_by"), max,
                emptyToNull(req.string("page_token")), viewType(req, "view_type"));
        Page<Experiment> page = store().searchExperiments(q);
        ObjectNode out = MlflowResponse.object();
        putAll(out, "experiments", page.items(), TrackingJson::experiment);
        MlflowResponse.put(out, "next_page_token", emptyToNull(page.nextPageToken()));
        send(cx, out);
    }

    private void updateExperiment(Context cx) {
        MlflowRequest req = request(cx);
        String id = req.requiredString("experiment_id");
        String newName = req.requiredString("new_name");
        store().renameExperiment(id, newName);
        MlflowResponse.empty(cx);
    }

    private void deleteExperiment(Context cx) {
        store().deleteExperiment(request(cx).requiredString("experiment_id"));
        MlflowResponse.empty(cx);
    }

    private void restoreExperiment(Context cx) {
        store().restoreExperiment(request(cx).requiredString("experiment_id"));
        MlflowResponse.empty(cx);
    }

    private void setExperimentTag(Context cx) {
        MlflowRequest req = request(cx);
        String id = req.requiredString("experiment_id");
        String key = req.requiredString("key");
        store().setExperimentTag(id, new Tag(key, orEmpty(req.string("value"))));
        MlflowResponse.empty(cx);
    }

    private void deleteExperimentTag(Context cx) {
        MlflowRequest req = request(cx);
        String id = req.requiredString("experiment_id");
        store().deleteExperimentTag(id, req.requiredString("key"));
        MlflowResponse.empty(cx);
    }

    // ---- runs

    private void createRun(Context cx) {
        MlflowRequest req = request(cx);
        String experimentId = emptyToNull(req.string("experiment_id"));
        Long start = req.int64("start_time");
        List<Tag> tags = tags(req.objects("tags"), "tags");
        Run run = store().createRun(experimentId == null ? Experiment.DEFAULT_ID : experimentId,
                emptyToNull(req.string("user_id")), start == null ? System.currentTimeMillis() : start,
                emptyToNull(req.string("run_name")), tags);
        ObjectNode out = MlflowResponse.object();
        out.set("run", TrackingJson.run(run));
        send(cx, out);
    }

    private void getRun(Context cx) {
        Run run = store().getRun(request(cx).runId());
        ObjectNode out = MlflowResponse.object();
        out.set("run", TrackingJson.run(run));
        send(cx, out);
    }

    private void updateRun(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String status = req.enumName("status", RUN_STATUSES);
        Long endTime = req.int64("end_time");
        String runName = req.string("run_name");
        RunInfo info = store().updateRun(runId, status == null ? null : RunStatus.valueOf(status), endTime, runName);
        ObjectNode out = MlflowResponse.object();
        out.set("run_info", TrackingJson.runInfo(info));
        send(cx, out);
    }

    private void deleteRun(Context cx) {
        store().deleteRun(request(cx).requiredString("run_id"));
        MlflowResponse.empty(cx);
    }

    private void restoreRun(Context cx) {
        store().restoreRun(request(cx).requiredString("run_id"));
        MlflowResponse.empty(cx);
    }

    private void searchRuns(Context cx) {
        MlflowRequest req = request(cx);
        int max = maxResults(req, RunQuery.DEFAULT_MAX_RESULTS, RunQuery.MAX_RESULTS_LIMIT);
        RunQuery q = new RunQuery(req.strings("experiment_ids"), emptyToNull(req.string("filter")), req.strings("order_by"),
                max, emptyToNull(req.string("page_token")), viewType(req, "run_view_type"));
        Page<Run> page = store().searchRuns(q);
        ObjectNode out = MlflowResponse.object();
        putAll(out, "runs", page.items(), TrackingJson::run);
        MlflowResponse.put(out, "next_page_token", emptyToNull(page.nextPageToken()));
        send(cx, out);
    }

    private void logMetric(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String key = req.requiredString("key");
        double value = req.requiredFloat64("value");
        long timestamp = req.requiredInt64("timestamp");
        Long step = req.int64("step");
        Metric metric = new Metric(key, value, timestamp, step == null ? 0 : step);
        ModelMetric ofModel = modelMetric(req.fields(), "", metric, runId);
        if (ofModel == null) {
            store().logBatch(runId, List.of(metric), List.of(), List.of());
        } else {
            store().logBatch(runId, List.of(), List.of(), List.of(), List.of(ofModel));
        }
        MlflowResponse.empty(cx);
    }

    private void logParam(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String key = req.requiredString("key");
        store().logBatch(runId, List.of(), List.of(new Param(key, orEmpty(req.string("value")))), List.of());
        MlflowResponse.empty(cx);
    }

    private void setTag(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String key = req.requiredString("key");
        store().logBatch(runId, List.of(), List.of(), List.of(new Tag(key, orEmpty(req.string("value")))));
        MlflowResponse.empty(cx);
    }

    private void deleteTag(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        store().deleteTag(runId, req.requiredString("key"));
        MlflowResponse.empty(cx);
    }

    /**
     * MLflow's {@code runs/log-model}: appends a summary of the model (its {@code MLmodel} as JSON) to the run's
     * {@code mlflow.log-model.history} tag, as MLflow's tracking server does; MLflow clients call it from every
     * {@code log_model}.
     */
    private void logModel(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String modelJson = req.requiredString("model_json");
        JsonNode model;
        try {
            model = ctx.json().readTree(modelJson);
        } catch (JacksonException e) {
            model = null;
        }
        if (!(model instanceof ObjectNode fields)) {
            throw MlvException.invalid("Malformed model info. \n " + modelJson + " \n is not a valid JSON.");
        }
        List<String> missing = LOGGED_MODEL_FIELDS.stream().filter(f -> !fields.has(f)).map(f -> "'" + f + "'").toList();
        if (!missing.isEmpty()) {
            throw MlvException.invalid("Model json is missing mandatory fields: {" + String.join(", ", missing) + "}");
        }
        store().appendToTagList(runId, LOG_MODEL_HISTORY_TAG, loggedModelSummary(fields).toString());
        MlflowResponse.empty(cx);
    }

    static final String LOG_MODEL_HISTORY_TAG = "mlflow.log-model.history";
    private static final List<String> LOGGED_MODEL_FIELDS = List.of("artifact_path", "flavors", "utc_time_created", "run_id");

    /** What MLflow keeps of a logged model: run, time, path and uuid, and each flavor without its {@code config}. */
    static ObjectNode loggedModelSummary(ObjectNode model) {
        ObjectNode summary = model.objectNode();
        for (String key : List.of("run_id", "utc_time_created", "artifact_path")) summary.set(key, model.get(key));
        summary.set("model_uuid", model.has("model_uuid") ? model.get("model_uuid") : summary.nullNode());
        ObjectNode flavors = summary.putObject("flavors");
        model.path("flavors").fields().forEachRemaining(f -> {
            JsonNode config = f.getValue();
            if (config instanceof ObjectNode o) config = o.deepCopy().without("config");
            flavors.set(f.getKey(), config);
        });
        return summary;
    }

    private void logBatch(Context cx) {
        byte[] body = MlflowRequest.body(cx, MAX_BATCH_LOG_REQUEST_SIZE,
                "Batched logging API requests must be at most " + MAX_BATCH_LOG_REQUEST_SIZE + " bytes");
        LogBatchJson.Batch fast = LogBatchJson.parse(body, ctx.json());
        if (fast != null) {
            store().logBatch(fast.runId(), fast.metrics(), fast.params(), fast.tags());
        } else {
            logBatch(MlflowRequest.ofBody(body, ctx.json()));
        }
        MlflowResponse.empty(cx);
    }

    /** log-batch read the general way: every proto-JSON form, MLflow's errors. */
    private void logBatch(MlflowRequest req) {
        String runId = req.runId();
        List<Metric> metrics = new ArrayList<>();
        List<ModelMetric> modelMetrics = new ArrayList<>();
        List<ObjectNode> metricNodes = req.objects("metrics");
        for (int i = 0; i < metricNodes.size(); i++) {
            ObjectNode m = metricNodes.get(i);
            String where = "metrics[" + i + "]";
            Double value = MlflowRequest.float64(m, "value", where + ".value");
            if (value == null) throw MlflowRequest.missing(where + ".value");
            Long timestamp = MlflowRequest.int64(m, "timestamp", where + ".timestamp");
            Long step = MlflowRequest.int64(m, "step", where + ".step");
            Metric metric = new Metric(MlflowRequest.string(m, "key", where + ".key"), value,
                    timestamp == null ? 0 : timestamp, step == null ? 0 : step);
            ModelMetric ofModel = modelMetric(m, where + ".", metric, runId);
            if (ofModel == null) metrics.add(metric);
            else modelMetrics.add(ofModel);
        }
        List<Param> params = new ArrayList<>();
        List<ObjectNode> paramNodes = req.objects("params");
        for (int i = 0; i < paramNodes.size(); i++) {
            ObjectNode p = paramNodes.get(i);
            String where = "params[" + i + "]";
            params.add(new Param(MlflowRequest.string(p, "key", where + ".key"), orEmpty(MlflowRequest.string(p, "value", where + ".value"))));
        }
        List<Tag> tags = tags(req.objects("tags"), "tags");
        store().logBatch(runId, metrics, params, tags, modelMetrics);
    }

    private void logInputs(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.requiredString("run_id");
        List<DatasetInput> inputs = new ArrayList<>();
        List<ObjectNode> nodes = req.objects("datasets");
        for (int i = 0; i < nodes.size(); i++) {
            String where = "datasets[" + i + "]";
            ObjectNode in = nodes.get(i);
            if (!(in.get("dataset") instanceof ObjectNode d)) throw MlflowRequest.missing(where + ".dataset");
            String dw = where + ".dataset.";
            Dataset dataset = new Dataset(
                    MlflowRequest.requiredString(d, "name", dw + "name"),
                    MlflowRequest.requiredString(d, "digest", dw + "digest"),
                    MlflowRequest.requiredString(d, "source_type", dw + "source_type"),
                    MlflowRequest.requiredString(d, "source", dw + "source"),
                    MlflowRequest.string(d, "schema", dw + "schema"),
                    MlflowRequest.string(d, "profile", dw + "profile"));
            List<Tag> inputTags = new ArrayList<>();
            List<ObjectNode> tagNodes = MlflowRequest.objects(in, "tags", where + ".tags");
            for (int t = 0; t < tagNodes.size(); t++) {
                String tw = where + ".tags[" + t + "].";
                inputTags.add(new Tag(MlflowRequest.requiredString(tagNodes.get(t), "key", tw + "key"),
                        MlflowRequest.requiredString(tagNodes.get(t), "value", tw + "value")));
            }
            inputs.add(new DatasetInput(dataset, inputTags));
        }
        List<ModelIo> models = new ArrayList<>();
        List<ObjectNode> modelNodes = req.objects("models");
        for (int i = 0; i < modelNodes.size(); i++) {
            models.add(new ModelIo(MlflowRequest.requiredString(modelNodes.get(i), "model_id", "models[" + i + "].model_id"),
                    ModelIo.Direction.INPUT, 0));
        }
        store().logInputs(runId, inputs);
        if (!models.isEmpty()) store().logModelIo(runId, models);
        MlflowResponse.empty(cx);
    }

    private void getMetricHistory(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        String key = req.requiredString("metric_key");
        Integer max = req.int32("max_results");
        Page<Metric> page = store().getMetricHistory(runId, key, max == null ? 0 : max, emptyToNull(req.string("page_token")));
        ObjectNode out = MlflowResponse.object();
        putAll(out, "metrics", page.items(), TrackingJson::metric);
        MlflowResponse.put(out, "next_page_token", emptyToNull(page.nextPageToken()));
        send(cx, out);
    }

    /** MLflow's limits for the bulk history routes: runs per request, sampled steps, points per run (or in all). */
    static final int MAX_BULK_RUNS = 100;
    static final int MAX_BULK_STEPS = 2500;
    static final int MAX_BULK_POINTS = 25_000;

    /**
     * MLflow's {@code metrics/get-history-bulk-interval} (what MLflow's UI charts read): one metric of up to 100 runs,
     * at no more than {@code max_results} (default and limit 2,500) steps spread evenly over
     * [{@code start_step}, {@code end_step}] (default: 0 to the last step logged), plus every run's first and last step
     * in that range; each run's points at those steps, ordered by step, with its {@code run_id}.
     */
    private void getMetricHistoryBulkInterval(Context cx) {
        MlflowRequest req = request(cx);
        List<String> runIds = req.strings("run_ids");
        if (runIds.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'run_ids'");
        if (runIds.size() > MAX_BULK_RUNS) {
            throw MlvException.invalid("GetMetricHistoryBulkInterval request must specify at most " + MAX_BULK_RUNS
                    + " run_ids. Received " + runIds.size() + " run_ids.");
        }
        String key = req.requiredString("metric_key");
        Integer max = req.int32("max_results");
        int maxSteps = max == null ? MAX_BULK_STEPS : max;
        if (maxSteps < 1 || maxSteps > MAX_BULK_STEPS) {
            throw MlvException.invalid("max_results must be between 1 and " + MAX_BULK_STEPS + ".");
        }
        Long start = req.int64("start_step");
        Long end = req.int64("end_step");
        if ((start == null) != (end == null)) {
            throw MlvException.invalid("If either start step or end step are specified, both must be specified.");
        }
        if (start != null && start > end) {
            throw MlvException.invalid("end_step must be greater than start_step. Found start_step=" + start
                    + " and end_step=" + end + ".");
        }
        List<List<Metric>> histories = new ArrayList<>();
        TreeSet<Long> allSteps = new TreeSet<>();
        for (String runId : runIds) {
            List<Metric> points = fullHistory(runId, key);
            histories.add(points);
            for (Metric m : points) allSteps.add(m.step());
        }
        long from = start != null ? start : 0;
        long to = end != null ? end : allSteps.isEmpty() ? 0 : allSteps.last();
        Set<Long> steps = sampledSteps(new ArrayList<>(allSteps.subSet(from, true, to, true)), maxSteps);
        for (List<Metric> points : histories) {
            if (points.isEmpty()) continue;
            // the history is ordered by step: its first and last points hold the run's lowest and highest step
            for (long edge : new long[]{points.get(0).step(), points.get(points.size() - 1).step()}) {
                if (edge >= from && edge <= to) steps.add(edge);
            }
        }
        ObjectNode out = MlflowResponse.object();
        var metrics = out.putArray("metrics");
        for (int i = 0; i < runIds.size(); i++) {
            int n = 0;
            for (Metric m : histories.get(i)) {
                if (!steps.contains(m.step())) continue;
                if (n++ == MAX_BULK_POINTS) break;
                metrics.add(TrackingJson.metric(m).put("run_id", runIds.get(i)));
            }
        }
        send(cx, out);
    }

    /**
     * MLflow's UI route {@code metrics/get-history-bulk}: one metric of up to 100 runs ({@code run_id} repeated), the
     * runs in id order, each run's points by timestamp, step and value, at most {@code max_results} (25,000) in all.
     */
    private void getMetricHistoryBulk(Context cx) {
        MlflowRequest req = request(cx);
        List<String> runIds = new ArrayList<>(req.strings("run_id"));
        if (runIds.isEmpty()) throw MlvException.invalid("GetMetricHistoryBulk request must specify at least one run_id.");
        if (runIds.size() > MAX_BULK_RUNS) {
            throw MlvException.invalid("GetMetricHistoryBulk request cannot specify more than " + MAX_BULK_RUNS
                    + " run_ids. Received " + runIds.size() + " run_ids.");
        }
        String key = req.string("metric_key");
        if (key == null) throw MlvException.invalid("GetMetricHistoryBulk request must specify a metric_key.");
        Integer max = req.int32("max_results");
        int limit = max == null ? MAX_BULK_POINTS : Math.min(max, MAX_BULK_POINTS);
        Collections.sort(runIds);
        ObjectNode out = MlflowResponse.object();
        var metrics = out.putArray("metrics");
        for (String runId : runIds) {
            if (metrics.size() >= limit) break; // full: the remaining runs' histories are not read
            List<Metric> points = fullHistory(runId, key);
            points.sort(Comparator.comparingLong(Metric::timestamp).thenComparingLong(Metric::step)
                    .thenComparingDouble(Metric::value));
            for (Metric m : points.subList(0, Math.min(points.size(), limit - metrics.size()))) {
                metrics.add(TrackingJson.metric(m).put("run_id", runId));
            }
        }
        send(cx, out);
    }

    /** Every point of a run's metric, in history order (step, timestamp, value): all pages of {@code get-history}. */
    private List<Metric> fullHistory(String runId, String key) {
        List<Metric> all = new ArrayList<>();
        String token = null;
        do {
            Page<Metric> page = store().getMetricHistory(runId, key, 0, token);
            all.addAll(page.items());
            token = emptyToNull(page.nextPageToken());
        } while (token != null);
        return all;
    }

    /** {@code max} steps spread evenly over the sorted {@code steps} (their first included), and their last one. */
    static Set<Long> sampledSteps(List<Long> steps, int max) {
        Set<Long> out = new HashSet<>();
        if (steps.size() <= max) {
            out.addAll(steps);
            return out;
        }
        double interval = (double) steps.size() / max;
        for (int i = 0; i < max; i++) out.add(steps.get((int) (i * interval)));
        out.add(steps.get(steps.size() - 1));
        return out;
    }

    /**
     * Lists a run's artifacts. As in MLflow, {@code path} is validated before the run is looked up, and the run's
     * {@code mlflow-artifacts:} root is resolved to this server's artifact store; entries carry paths relative to the
     * run's artifact root.
     */
    private void listArtifacts(Context cx) {
        MlflowRequest req = request(cx);
        String runId = req.runId();
        ArtifactPath relative = ArtifactPath.parse(req.string("path"));
        Run run = store().getRun(runId);
        send(cx, listing(ctx, run.info().artifactUri(), relative, "run '" + runId + "'"));
    }

    /**
     * MLflow's listing answer ({@code root_uri}, {@code files} with paths relative to the root) of the directory
     * {@code relative} under {@code rootUri}, which must be an {@code mlflow-artifacts:/} location of this server.
     */
    static ObjectNode listing(ServerContext ctx, String rootUri, ArtifactPath relative, String owner) {
        Optional<ArtifactPath> root = ProxiedArtifactUri.storePath(rootUri);
        if (root.isEmpty()) {
            throw MlvException.invalid("The artifacts of " + owner + " are at '" + rootUri
                    + "', which this server does not serve; only mlflow-artifacts:/ locations are proxied");
        }
        List<FileInfo> files = ctx.artifacts().list(root.get().resolve(relative));
        ObjectNode out = MlflowResponse.object();
        out.put("root_uri", rootUri);
        putAll(out, "files", files, f -> {
            String name = f.path().substring(f.path().lastIndexOf('/') + 1);
            return TrackingJson.fileInfo(relative.isRoot() ? name : relative + "/" + name, f);
        });
        return out;
    }

    // ---- helpers

    static List<Tag> tags(List<ObjectNode> nodes, String field) {
        List<Tag> tags = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String where = field + "[" + i + "]";
            tags.add(new Tag(MlflowRequest.string(nodes.get(i), "key", where + ".key"),
                    orEmpty(MlflowRequest.string(nodes.get(i), "value", where + ".value"))));
        }
        return tags;
    }

    private static ViewType viewType(MlflowRequest req, String field) {
        String name = req.enumName(field, VIEW_TYPES);
        return name == null ? ViewType.ACTIVE_ONLY : ViewType.valueOf(name);
    }

    /** MLflow's checks of {@code max_results}: a positive integer no larger than the search's limit. */
    static int maxResults(MlflowRequest req, int defaultValue, int limit) {
        Long max = req.int64("max_results");
        if (max == null) return defaultValue;
        if (max <= 0) {
            throw MlvException.invalid("Invalid value for request parameter max_results. It must be a positive integer, but got " + max);
        }
        if (max > limit) {
            throw MlvException.invalid("Invalid value for request parameter max_results. It must be at most " + limit
                    + ", but got value " + max);
        }
        return max.intValue();
    }

    /**
     * MLflow's checks of a client-chosen {@code artifact_location} (CVE-2023-6909, CVE-2024-1483, PR #10653): no
     * fragment, no {@code ;} parameters, no {@code ..} hidden in a query; an {@code mlflow-artifacts:} location must be
     * a valid path in the artifact store.
     */
    static void validateArtifactLocation(String location) {
        if (location == null || location.isEmpty()) return;
        if (location.indexOf('#') >= 0 || location.indexOf(';') >= 0) {
            throw MlvException.invalid("'artifact_location' URL can't include fragments or params.");
        }
        int q = location.indexOf('?');
        if (q >= 0) {
            String query = location.substring(q + 1);
            for (int round = 0; round < 8 && query.contains("%"); round++) {
                String next;
                try {
                    next = URLDecoder.decode(query, StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    break;
                }
                if (next.equals(query)) break;
                query = next;
            }
            if (query.contains("..")) throw MlvException.invalid("Invalid query string");
        }
        for (int i = 0; i < location.length(); i++) {
            if (Character.isISOControl(location.charAt(i))) {
                throw MlvException.invalid("'artifact_location' must not contain control characters.");
            }
        }
        if (ProxiedArtifactUri.isProxied(location)) ProxiedArtifactUri.storePath(location);
    }

    /**
     * The metric as a point of the logged model its {@code model_id} field names (MLflow 3), with its dataset; null
     * without a {@code model_id}. {@code prefix} names the metric's place in errors ({@code metrics[2].}).
     */
    private static ModelMetric modelMetric(ObjectNode fields, String prefix, Metric metric, String runId) {
        String modelId = emptyToNull(MlflowRequest.string(fields, "model_id", prefix + "model_id"));
        if (modelId == null) return null;
        return new ModelMetric(modelId, metric, runId,
                emptyToNull(MlflowRequest.string(fields, "dataset_name", prefix + "dataset_name")),
                emptyToNull(MlflowRequest.string(fields, "dataset_digest", prefix + "dataset_digest")));
    }

    static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
