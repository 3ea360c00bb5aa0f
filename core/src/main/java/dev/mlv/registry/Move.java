package dev.mlv.registry;

/**
 * One change of what a stage or an alias resolves to. {@code kind} is {@code stage} or {@code alias}; {@code key} the
 * stage (MLflow spelling) or alias name; versions are null when nothing held it before / holds it after.
 */
public record Move(String name, String kind, String key, String fromVersion, String toVersion, String user,
                   long timestamp, String reason) {
    public static final String STAGE = "stage";
    public static final String ALIAS = "alias";
}
