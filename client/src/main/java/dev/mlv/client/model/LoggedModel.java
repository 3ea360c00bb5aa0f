package dev.mlv.client.model;

/** A model logged to a run: register it with {@code source = modelUri()} ({@code runs:/<run_id>/<path>}). */
public record LoggedModel(String runId, String artifactPath, String modelUuid) {
    public String modelUri() {
        return "runs:/" + runId + "/" + artifactPath;
    }
}
