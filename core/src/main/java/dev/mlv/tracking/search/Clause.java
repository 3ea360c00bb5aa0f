package dev.mlv.tracking.search;

/**
 * One comparison of a filter, e.g. {@code metrics.rmse < 0.5}. {@code key} is the canonical key: for attributes one
 * of {@link SearchFilter#RUN_ATTRIBUTES} / {@link SearchFilter#EXPERIMENT_ATTRIBUTES} ({@code created} becomes
 * {@code start_time}); for datasets {@code name}, {@code digest} or {@code context}.
 */
public record Clause(EntityType type, String key, Comparator comparator, Value value) {

    public double number() {
        return ((Value.Number) value).value();
    }

    public String text() {
        return ((Value.Text) value).value();
    }

    public java.util.List<String> list() {
        return ((Value.TextList) value).values();
    }
}
