package dev.mlv.permissions;

/** The kinds of resource a {@link Grant} is for: an experiment (by id) or a registered model (by name). */
public enum ResourceType {
    EXPERIMENT("experiment"),
    REGISTERED_MODEL("registered model");

    private final String label;

    ResourceType(String label) {
        this.label = label;
    }

    /** How messages name this kind of resource. */
    public String label() {
        return label;
    }
}
