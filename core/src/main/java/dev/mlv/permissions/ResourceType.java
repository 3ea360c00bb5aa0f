package dev.mlv.permissions;

import dev.mlv.errors.MlvException;

/** The kinds of resource a {@link Grant} is for: an experiment (by id) or a registered model (by name). */
public enum ResourceType {
    EXPERIMENT("experiment", "experiment_id"),
    REGISTERED_MODEL("registered model", "name");

    private final String label;
    private final String idField;

    ResourceType(String label, String idField) {
        this.label = label;
        this.idField = idField;
    }

    /** How messages name this kind of resource. */
    public String label() {
        return label;
    }

    /** MLflow's name for the parameter that names such a resource: {@code experiment_id} or {@code name}. */
    public String idField() {
        return idField;
    }

    /** MLflow's error for a user's grant on {@code resource} that does not exist. */
    public MlvException grantNotFound(String resource, String user) {
        return MlvException.notFound(title() + " permission with " + idField + "=" + resource + " and username=" + user
                + " not found");
    }

    /** MLflow's error for a user's grant on {@code resource} that exists already. */
    public MlvException grantExists(String resource, String user) {
        return MlvException.alreadyExists(title() + " permission (" + idField + "=" + resource + ", username=" + user
                + ") already exists.");
    }

    /** {@link #label()} with a capital, to start a sentence. */
    public String title() {
        return Character.toUpperCase(label.charAt(0)) + label.substring(1);
    }
}
