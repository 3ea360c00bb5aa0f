package dev.mlv.tracking;

/** One point of a metric's history: append-only. {@code timestamp} is in milliseconds since the epoch. */
public record Metric(String key, double value, long timestamp, long step) {
}
