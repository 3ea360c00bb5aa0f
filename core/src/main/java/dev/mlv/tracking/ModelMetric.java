package dev.mlv.tracking;

/**
 * A metric point logged for a logged model (MLflow 3's {@code model_id} on a metric), by run {@code runId}, optionally
 * on a dataset ({@code datasetName}, {@code datasetDigest}, both nullable).
 */
public record ModelMetric(String modelId, Metric metric, String runId, String datasetName, String datasetDigest) {
}
