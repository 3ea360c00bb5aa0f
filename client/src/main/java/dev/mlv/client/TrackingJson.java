package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.tracking.Dataset;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.LifecycleStage;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.RunStatus;
import dev.mlv.tracking.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads MLflow's REST JSON into the core records. */
public final class TrackingJson {
    private TrackingJson() {
    }

    public static Experiment experiment(JsonNode e) {
        return new Experiment(e.path("experiment_id").asText(), e.path("name").asText(),
                text(e, "artifact_location"), stage(e.path("lifecycle_stage").asText("active")),
                e.path("creation_time").asLong(), e.path("last_update_time").asLong(), tags(e.path("tags")));
    }

    public static Run run(JsonNode r) {
        JsonNode info = r.path("info");
        JsonNode data = r.path("data");
        List<Metric> metrics = new ArrayList<>();
        for (JsonNode m : data.path("metrics")) metrics.add(metric(m));
        List<Param> params = new ArrayList<>();
        for (JsonNode p : data.path("params")) params.add(new Param(p.path("key").asText(), p.path("value").asText()));
        List<DatasetInput> inputs = new ArrayList<>();
        for (JsonNode in : r.path("inputs").path("dataset_inputs")) {
            JsonNode d = in.path("dataset");
            inputs.add(new DatasetInput(new Dataset(text(d, "name"), text(d, "digest"), text(d, "source_type"),
                    text(d, "source"), text(d, "schema"), text(d, "profile")), tags(in.path("tags"))));
        }
        List<ModelIo> models = new ArrayList<>();
        for (JsonNode m : r.path("inputs").path("model_inputs")) {
            models.add(new ModelIo(m.path("model_id").asText(), ModelIo.Direction.INPUT, 0));
        }
        for (JsonNode m : r.path("outputs").path("model_outputs")) {
            models.add(new ModelIo(m.path("model_id").asText(), ModelIo.Direction.OUTPUT, m.path("step").asLong()));
        }
        return new Run(runInfo(info), metrics, params, tags(data.path("tags")), inputs, models);
    }

    public static RunInfo runInfo(JsonNode info) {
        String id = info.hasNonNull("run_id") ? info.get("run_id").asText() : info.path("run_uuid").asText();
        long end = info.path("end_time").asLong(0);
        return new RunInfo(id, info.path("experiment_id").asText(), text(info, "run_name"), text(info, "user_id"),
                RunStatus.parse(info.path("status").asText("RUNNING")), info.path("start_time").asLong(),
                end == 0 ? null : end, text(info, "artifact_uri"), stage(info.path("lifecycle_stage").asText("active")));
    }

    public static Metric metric(JsonNode m) {
        return new Metric(m.path("key").asText(), m.path("value").asDouble(), m.path("timestamp").asLong(),
                m.path("step").asLong());
    }

    public static FileInfo fileInfo(JsonNode f) {
        return new FileInfo(f.path("path").asText(), f.path("is_dir").asBoolean(),
                f.hasNonNull("file_size") ? f.get("file_size").asLong() : null);
    }

    public static List<Tag> tags(JsonNode list) {
        List<Tag> tags = new ArrayList<>();
        for (JsonNode t : list) tags.add(new Tag(t.path("key").asText(), t.path("value").asText()));
        return tags;
    }

    private static LifecycleStage stage(String s) {
        return LifecycleStage.valueOf(s.toUpperCase(Locale.ROOT));
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
