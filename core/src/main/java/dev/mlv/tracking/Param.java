package dev.mlv.tracking;

/** A run parameter: written once; logging the same value again is fine, a different value is an error. */
public record Param(String key, String value) {
}
