package dev.mlv.tracking;

import java.util.List;

/** Arguments of a search over experiments, as MLflow's {@code experiments/search} takes them. */
public record ExperimentQuery(String filter, List<String> orderBy, int maxResults, String pageToken, ViewType viewType) {
    public static final int DEFAULT_MAX_RESULTS = 1000;
    public static final int MAX_RESULTS_LIMIT = 50_000;
}
