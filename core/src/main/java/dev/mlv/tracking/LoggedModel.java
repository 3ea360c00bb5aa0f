package dev.mlv.tracking;

import java.util.List;

/**
 * An MLflow 3 logged model: a model's files ({@code artifactLocation}, usually
 * {@code <experiment location>/models/<model_id>/artifacts}) with its own params, tags and metrics, independent of any
 * one run; {@code sourceRunId} is the run that produced it, if any. Ids are {@code m-} and 32 hex digits.
 */
public record LoggedModel(String modelId, String experimentId, String name, long creationTimestampMs,
                          long lastUpdatedTimestampMs, String artifactLocation, LoggedModelStatus status, String modelType,
                          String sourceRunId, LifecycleStage lifecycleStage, List<Tag> tags, List<Param> params,
                          List<ModelMetric> metrics) {
}
