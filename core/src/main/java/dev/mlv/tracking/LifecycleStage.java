package dev.mlv.tracking;

/** Lifecycle of experiments and runs: deleted ones are hidden from searches unless asked for. */
public enum LifecycleStage {
    ACTIVE, DELETED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
