package dev.mlv.tracking;

/**
 * A run's attributes. {@code runId} is 32 lowercase hex characters; {@code artifactUri} is
 * {@code mlflow-artifacts:/<experiment_id>/<run_id>/artifacts} on a server that proxies artifacts.
 * {@code endTime} is null while the run has not ended.
 */
public record RunInfo(
        String runId,
        String experimentId,
        String runName,
        String userId,
        RunStatus status,
        long startTime,
        Long endTime,
        String artifactUri,
        LifecycleStage lifecycleStage) {
}
