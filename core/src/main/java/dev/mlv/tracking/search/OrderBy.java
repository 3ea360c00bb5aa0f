package dev.mlv.tracking.search;

/** One key of an order_by list, e.g. {@code metrics.rmse DESC}; attribute keys are canonical. */
public record OrderBy(EntityType type, String key, boolean ascending) {
}
