package dev.mlv.cli.tracking;

/** MLflow's {@code ViewType} as a CLI value: {@code active}, {@code deleted} or {@code all}. */
public enum ViewOption {
    ACTIVE("ACTIVE_ONLY"), DELETED("DELETED_ONLY"), ALL("ALL");

    private final String wire;

    ViewOption(String wire) {
        this.wire = wire;
    }

    /** The value MLflow's REST API expects. */
    public String wire() {
        return wire;
    }
}
