package dev.mlv.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelVersion;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.Tag;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * The two JSON shapes of a {@link ModelLineage}, with snake_case field names as the REST API returns them:
 * {@link #metadata} (one flat record per version, for scripts and model cards) and {@link #tree} (version → run →
 * datasets, code, params, metrics, environment, checkpoints).
 */
public final class LineageJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DATE = DateTimeFormatter.ISO_LOCAL_DATE.withZone(ZoneOffset.UTC);

    private LineageJson() {
    }

    /**
     * A flat summary: {@code name, version, model_version ("v3"), stage, aliases, run_id, metrics, params, datasets,
     * dataset_version (digest of the training dataset, else the first one), code_commit, environment,
     * creation_timestamp, created_at, training_date, registered_by}, and more.
     */
    public static ObjectNode metadata(ModelLineage lineage) {
        ModelVersion v = lineage.version();
        RunLineage run = lineage.run();
        ObjectNode o = JSON.createObjectNode();
        o.put("name", v.name());
        o.put("version", v.version());
        o.put("model_version", "v" + v.version());
        o.put("uri", "models:/" + v.name() + "/" + v.version());
        o.put("stage", v.currentStage() == null ? "None" : v.currentStage().display());
        o.set("aliases", strings(v.aliases()));
        o.put("status", v.status());
        o.put("description", v.description());
        o.put("source", v.source());
        o.put("run_id", v.runId());
        o.put("registered_by", v.userId());
        o.put("creation_timestamp", v.creationTimestamp());
        o.put("created_at", Instant.ofEpochMilli(v.creationTimestamp()).toString());
        o.put("last_updated_timestamp", v.lastUpdatedTimestamp());
        o.set("tags", tags(v.tags()));
        o.set("files", files(lineage));
        if (run != null) {
            o.put("run_name", run.info().runName());
            o.put("experiment_id", run.info().experimentId());
            o.put("training_date", DATE.format(Instant.ofEpochMilli(run.info().startTime())));
            o.put("training_started_at", Instant.ofEpochMilli(run.info().startTime()).toString());
            o.put("training_ended_at", run.info().endTime() == null ? null
                    : Instant.ofEpochMilli(run.info().endTime()).toString());
            o.set("metrics", metrics(run.metrics()));
            o.set("params", JSON.valueToTree(run.params()));
            o.set("datasets", datasets(run));
            o.put("dataset_version", datasetVersion(run));
            o.put("code_commit", run.code().gitCommit());
            o.set("environment", run.environment());
        } else {
            o.putNull("training_date");
            o.set("metrics", JSON.createObjectNode());
            o.set("params", JSON.createObjectNode());
            o.set("datasets", JSON.createArrayNode());
            o.putNull("dataset_version");
            o.putNull("code_commit");
            o.putNull("environment");
        }
        o.set("notes", strings(lineage.notes()));
        return o;
    }

    /** {@code {"model_version": {…, "run": {…, "datasets": […], "code": {…}, "checkpoints": […]}}, "notes": […]}}. */
    public static ObjectNode tree(ModelLineage lineage) {
        ModelVersion v = lineage.version();
        ObjectNode mv = JSON.createObjectNode();
        mv.put("name", v.name());
        mv.put("version", v.version());
        mv.put("uri", "models:/" + v.name() + "/" + v.version());
        mv.put("stage", v.currentStage() == null ? "None" : v.currentStage().display());
        mv.set("aliases", strings(v.aliases()));
        mv.put("source", v.source());
        mv.put("status", v.status());
        mv.put("registered_by", v.userId());
        mv.put("creation_timestamp", v.creationTimestamp());
        mv.set("files", files(lineage));
        RunLineage run = lineage.run();
        if (run == null) {
            mv.putNull("run");
        } else {
            RunInfo i = run.info();
            ObjectNode r = mv.putObject("run");
            r.put("run_id", i.runId());
            r.put("run_name", i.runName());
            r.put("experiment_id", i.experimentId());
            r.put("status", i.status() == null ? null : i.status().name());
            r.put("user_id", i.userId());
            r.put("start_time", i.startTime());
            if (i.endTime() == null) r.putNull("end_time"); else r.put("end_time", i.endTime());
            r.put("artifact_uri", i.artifactUri());
            ObjectNode code = r.putObject("code");
            code.put("git_commit", run.code().gitCommit());
            code.put("git_repo", run.code().gitRepo());
            code.put("git_branch", run.code().gitBranch());
            if (run.code().gitDirty() == null) code.putNull("git_dirty"); else code.put("git_dirty", run.code().gitDirty());
            code.put("source_name", run.code().sourceName());
            code.put("source_type", run.code().sourceType());
            r.set("params", JSON.valueToTree(run.params()));
            r.set("metrics", metrics(run.metrics()));
            r.set("datasets", datasets(run));
            r.set("environment", run.environment());
            ArrayNode cps = r.putArray("checkpoints");
            for (Checkpoint c : run.checkpoints()) {
                ObjectNode cp = cps.addObject();
                cp.put("epoch", c.epoch());
                cp.put("path", c.path());
                cp.put("complete", c.details() != null);
                cp.set("details", c.details());
            }
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("model_version", mv);
        root.set("notes", strings(lineage.notes()));
        return root;
    }

    /** The digest of the dataset used for training (context {@code training}), else of the first one, else null. */
    static String datasetVersion(RunLineage run) {
        for (DatasetRef d : run.datasets()) if ("training".equalsIgnoreCase(d.context())) return d.digest();
        return run.datasets().isEmpty() ? null : run.datasets().get(0).digest();
    }

    private static ArrayNode files(ModelLineage lineage) {
        ArrayNode a = JSON.createArrayNode();
        for (ModelFile f : lineage.files()) a.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
        return a;
    }

    private static ArrayNode datasets(RunLineage run) {
        ArrayNode a = JSON.createArrayNode();
        for (DatasetRef d : run.datasets()) {
            ObjectNode o = a.addObject();
            o.put("name", d.name());
            o.put("digest", d.digest());
            o.put("source_type", d.sourceType());
            o.put("source", d.source());
            o.put("context", d.context());
        }
        return a;
    }

    private static ObjectNode metrics(Map<String, Double> metrics) {
        ObjectNode o = JSON.createObjectNode();
        metrics.forEach((k, val) -> {
            if (val.isNaN() || val.isInfinite()) o.put(k, val.toString()); // JSON has no NaN/Infinity
            else o.put(k, val);
        });
        return o;
    }

    private static ObjectNode tags(Iterable<Tag> tags) {
        ObjectNode o = JSON.createObjectNode();
        for (Tag t : tags) o.put(t.key(), t.value());
        return o;
    }

    private static JsonNode strings(Iterable<String> values) {
        ArrayNode a = JSON.createArrayNode();
        for (String s : values) a.add(s);
        return a;
    }
}
