package dev.mlv.tracking;

/** A key/value tag on an experiment, a run, a dataset input, a registered model or a model version. */
public record Tag(String key, String value) {
}
