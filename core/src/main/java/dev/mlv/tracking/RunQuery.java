package dev.mlv.tracking;

import java.util.List;

/**
 * Arguments of a search over runs, as MLflow's {@code runs/search} takes them. {@code maxResults <= 0} means
 * {@link #DEFAULT_MAX_RESULTS}; above {@link #MAX_RESULTS_LIMIT} is {@code INVALID_PARAMETER_VALUE}. Null lists, a null
 * filter and a null view type mean none / {@code ACTIVE_ONLY}.
 */
public record RunQuery(List<String> experimentIds, String filter, List<String> orderBy, int maxResults, String pageToken, ViewType viewType) {
    public static final int DEFAULT_MAX_RESULTS = 1000;
    public static final int MAX_RESULTS_LIMIT = 50_000;
}
