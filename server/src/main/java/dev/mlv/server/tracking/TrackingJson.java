package dev.mlv.server.tracking;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.server.MlflowResponse;
import dev.mlv.tracking.Dataset;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.LoggedModel;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.Tag;

import java.util.List;

import static dev.mlv.server.MlflowResponse.put;
import static dev.mlv.server.MlflowResponse.putAll;

/** The tracking entities as MLflow's proto-JSON (mlflow/protos/service.proto field names). */
public final class TrackingJson {
    private TrackingJson() {
    }

    public static ObjectNode experiment(Experiment e) {
        ObjectNode n = MlflowResponse.object();
        put(n, "experiment_id", e.experimentId());
        put(n, "name", e.name());
        put(n, "artifact_location", e.artifactLocation());
        if (e.lifecycleStage() != null) n.put("lifecycle_stage", e.lifecycleStage().wire());
        n.put("last_update_time", e.lastUpdateTime());
        n.put("creation_time", e.creationTime());
        putAll(n, "tags", e.tags(), TrackingJson::tag);
        return n;
    }

    public static ObjectNode runInfo(RunInfo i) {
        ObjectNode n = MlflowResponse.object();
        put(n, "run_id", i.runId());
        put(n, "run_uuid", i.runId());
        put(n, "run_name", i.runName());
        put(n, "experiment_id", i.experimentId());
        put(n, "user_id", i.userId());
        if (i.status() != null) n.put("status", i.status().name());
        n.put("start_time", i.startTime());
        put(n, "end_time", i.endTime());
        put(n, "artifact_uri", i.artifactUri());
        if (i.lifecycleStage() != null) n.put("lifecycle_stage", i.lifecycleStage().wire());
        return n;
    }

    public static ObjectNode run(Run r) {
        ObjectNode n = MlflowResponse.object();
        n.set("info", runInfo(r.info()));
        ObjectNode data = n.putObject("data");
        putAll(data, "metrics", r.latestMetrics(), TrackingJson::metric);
        putAll(data, "params", r.params(), TrackingJson::param);
        putAll(data, "tags", r.tags(), TrackingJson::tag);
        ObjectNode inputs = n.putObject("inputs");
        putAll(inputs, "dataset_inputs", r.inputs(), TrackingJson::datasetInput);
        List<ModelIo> read = r.models().stream().filter(m -> m.direction() == ModelIo.Direction.INPUT).toList();
        List<ModelIo> made = r.models().stream().filter(m -> m.direction() == ModelIo.Direction.OUTPUT).toList();
        putAll(inputs, "model_inputs", read, m -> MlflowResponse.object().put("model_id", m.modelId()));
        if (!made.isEmpty()) {
            putAll(n.putObject("outputs"), "model_outputs", made,
                    m -> MlflowResponse.object().put("model_id", m.modelId()).put("step", m.step()));
        }
        return n;
    }

    /** MLflow 3's {@code LoggedModel}: {@code info} (attributes and tags) and {@code data} (params, metric points). */
    public static ObjectNode loggedModel(LoggedModel m) {
        ObjectNode n = MlflowResponse.object();
        ObjectNode info = n.putObject("info");
        put(info, "model_id", m.modelId());
        put(info, "experiment_id", m.experimentId());
        put(info, "name", m.name());
        info.put("creation_timestamp_ms", m.creationTimestampMs());
        info.put("last_updated_timestamp_ms", m.lastUpdatedTimestampMs());
        put(info, "artifact_uri", m.artifactLocation());
        info.put("status", m.status().wire());
        put(info, "model_type", m.modelType());
        put(info, "source_run_id", m.sourceRunId());
        putAll(info, "tags", m.tags(), TrackingJson::tag);
        ObjectNode data = n.putObject("data");
        putAll(data, "params", m.params(), TrackingJson::param);
        putAll(data, "metrics", m.metrics(), mm -> {
            ObjectNode o = metric(mm.metric());
            put(o, "dataset_name", mm.datasetName());
            put(o, "dataset_digest", mm.datasetDigest());
            o.put("model_id", mm.modelId());
            put(o, "run_id", mm.runId());
            return o;
        });
        return n;
    }

    public static ObjectNode metric(Metric m) {
        ObjectNode n = MlflowResponse.object();
        n.put("key", m.key());
        n.put("value", m.value());
        n.put("timestamp", m.timestamp());
        n.put("step", m.step());
        return n;
    }

    public static ObjectNode param(Param p) {
        ObjectNode n = MlflowResponse.object();
        put(n, "key", p.key());
        put(n, "value", p.value());
        return n;
    }

    public static ObjectNode tag(Tag t) {
        ObjectNode n = MlflowResponse.object();
        put(n, "key", t.key());
        put(n, "value", t.value());
        return n;
    }

    public static ObjectNode datasetInput(DatasetInput in) {
        ObjectNode n = MlflowResponse.object();
        putAll(n, "tags", in.tags(), TrackingJson::tag);
        if (in.dataset() != null) n.set("dataset", dataset(in.dataset()));
        return n;
    }

    public static ObjectNode dataset(Dataset d) {
        ObjectNode n = MlflowResponse.object();
        put(n, "name", d.name());
        put(n, "digest", d.digest());
        put(n, "source_type", d.sourceType());
        put(n, "source", d.source());
        put(n, "schema", d.schema());
        put(n, "profile", d.profile());
        return n;
    }

    /** An artifact listing entry; directories carry no size. */
    public static ObjectNode fileInfo(String path, FileInfo f) {
        ObjectNode n = MlflowResponse.object();
        n.put("path", path);
        n.put("is_dir", f.isDir());
        if (!f.isDir() && f.fileSize() != null) n.put("file_size", f.fileSize());
        return n;
    }
}
