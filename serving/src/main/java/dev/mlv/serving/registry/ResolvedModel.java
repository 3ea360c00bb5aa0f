package dev.mlv.serving.registry;

/**
 * What a model URI points at right now and where its files are: a registered version, a run's model ({@code version}
 * is {@code run-<run_id>}), or a logged model ({@code name} its name, {@code version} its id). {@code kind} says which,
 * and so how its files are listed: a {@code runs:/} URI may resolve to a logged model.
 */
public record ResolvedModel(String name, String version, String downloadUri, String runId, ModelRef.Kind kind) {
}
