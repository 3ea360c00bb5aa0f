package dev.mlv.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.tracking.RunInfo;

import java.util.List;
import java.util.Map;

/**
 * Everything a run contributed to a model: its latest metrics, params, the datasets it read, the code commit, the
 * environment it ran in and its checkpoints (by epoch).
 *
 * @param environment what the client recorded about the environment (an object), or null when nothing was recorded
 */
public record RunLineage(RunInfo info, Map<String, Double> metrics, Map<String, String> params,
                         List<DatasetRef> datasets, CodeRef code, JsonNode environment,
                         List<Checkpoint> checkpoints) {
}
