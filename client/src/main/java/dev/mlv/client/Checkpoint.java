package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A training checkpoint stored with a run: files under {@code checkpoints/epoch-<epoch>/} beside a
 * {@code checkpoint.json} that holds this record (written last, so a checkpoint without it is incomplete and ignored).
 * Restore one with {@link MlvClient#latestCheckpoint(String)} and {@link MlvClient#downloadCheckpoint}.
 */
public record Checkpoint(String runId, int epoch, long step, Map<String, Double> metrics, List<File> files, long timestamp) {
    public static final String DIRECTORY = "checkpoints";
    public static final String MANIFEST = "checkpoint.json";

    public Checkpoint {
        metrics = Map.copyOf(metrics);
        files = List.copyOf(files);
    }

    /** One file of a checkpoint: its name inside the checkpoint folder, SHA-256 (hex) and size in bytes. */
    public record File(String path, String sha256, long size) {
    }

    /** {@code checkpoints/epoch-<epoch>}: the artifact folder of this checkpoint. */
    public String artifactDirectory() {
        return directory(epoch);
    }

    public static String directory(int epoch) {
        return DIRECTORY + "/epoch-" + epoch;
    }

    public Optional<File> file(String name) {
        return files.stream().filter(f -> f.path().equals(name)).findFirst();
    }

    public ObjectNode toJson() {
        ObjectNode n = RestClient.object();
        n.put("format", 1).put("run_id", runId).put("epoch", epoch).put("step", step).put("time", timestamp);
        ObjectNode m = n.putObject("metrics");
        new java.util.TreeMap<>(metrics).forEach(m::put);
        var fs = n.putArray("files");
        for (File f : files) fs.addObject().put("path", f.path()).put("sha256", f.sha256()).put("size", f.size());
        return n;
    }

    public static Checkpoint fromJson(JsonNode n) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (var e : n.path("metrics").properties()) metrics.put(e.getKey(), e.getValue().asDouble());
        List<File> files = new ArrayList<>();
        for (JsonNode f : n.path("files")) {
            files.add(new File(f.path("path").asText(), f.path("sha256").asText(), f.path("size").asLong()));
        }
        return new Checkpoint(n.path("run_id").asText(), n.path("epoch").asInt(), n.path("step").asLong(), metrics,
                files, n.path("time").asLong());
    }
}
