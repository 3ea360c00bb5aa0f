package dev.mlv.tracking;

import java.util.List;

/**
 * A run with its data: the latest value of each metric (MLflow's {@code run.data.metrics}), params, tags, the
 * dataset inputs it read, and the logged models it read or produced.
 */
public record Run(RunInfo info, List<Metric> latestMetrics, List<Param> params, List<Tag> tags, List<DatasetInput> inputs,
                  List<ModelIo> models) {
}
