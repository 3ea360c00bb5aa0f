package dev.mlv.tracking;

import java.util.List;

/**
 * MLflow's {@code logged-models/search}: experiments (at least one), a filter over attributes, {@code params.},
 * {@code tags.} and {@code metrics.} keys, datasets that the metric clauses (and metric order keys) are restricted to,
 * order_by, and paging. {@code maxResults <= 0} means MLflow's default of 50.
 */
public record LoggedModelQuery(List<String> experimentIds, String filter, List<DatasetKey> datasets,
                               List<Order> orderBy, int maxResults, String pageToken) {
    public static final int DEFAULT_MAX_RESULTS = 50;

    /** A dataset by name, and by digest when the digest is not null. */
    public record DatasetKey(String name, String digest) {
    }

    /** One order_by entry: an attribute or {@code metrics.<key>} (its latest value, optionally on one dataset). */
    public record Order(String fieldName, boolean ascending, String datasetName, String datasetDigest) {
    }
}
