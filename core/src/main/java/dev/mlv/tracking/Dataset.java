package dev.mlv.tracking;

/** A dataset as MLflow's log-inputs describes it; schema, profile and source are free-form strings (JSON). */
public record Dataset(String name, String digest, String sourceType, String source, String schema, String profile) {
}
