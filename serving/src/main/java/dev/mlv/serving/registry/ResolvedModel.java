package dev.mlv.serving.registry;

/** What a model URI points at right now: a registered version (or a run's model) and where its files are. */
public record ResolvedModel(String name, String version, String downloadUri, String runId) {
}
