package dev.mlv.tracking;

import java.util.List;

/** An experiment as MLflow shows it; {@code experimentId} is a decimal string, {@code "0"} is Default. */
public record Experiment(
        String experimentId,
        String name,
        String artifactLocation,
        LifecycleStage lifecycleStage,
        long creationTime,
        long lastUpdateTime,
        List<Tag> tags) {
    public static final String DEFAULT_ID = "0";
    public static final String DEFAULT_NAME = "Default";
}
