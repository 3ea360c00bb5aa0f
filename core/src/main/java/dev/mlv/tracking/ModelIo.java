package dev.mlv.tracking;

/**
 * A logged model a run produced ({@link Direction#OUTPUT}, MLflow's {@code run.outputs.model_outputs}, at a step) or
 * read ({@link Direction#INPUT}, {@code run.inputs.model_inputs}, step 0).
 */
public record ModelIo(String modelId, Direction direction, long step) {
    public enum Direction { INPUT, OUTPUT }
}
