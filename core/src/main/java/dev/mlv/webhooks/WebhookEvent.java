package dev.mlv.webhooks;

import dev.mlv.errors.MlvException;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The registry events a webhook can subscribe to: MLflow's model-registry events (an entity and an action, written
 * {@code registered_model.created} in deliveries and {@code {"entity": "REGISTERED_MODEL", "action": "CREATED"}} in
 * the REST API).
 */
public enum WebhookEvent {
    REGISTERED_MODEL_CREATED("registered_model", "created"),
    MODEL_VERSION_CREATED("model_version", "created"),
    MODEL_VERSION_TAG_SET("model_version_tag", "set"),
    MODEL_VERSION_TAG_DELETED("model_version_tag", "deleted"),
    /** An alias set on a version, new or moved (by a set, a rollback or an approval). */
    MODEL_VERSION_ALIAS_CREATED("model_version_alias", "created"),
    MODEL_VERSION_ALIAS_DELETED("model_version_alias", "deleted");

    private final String entity;
    private final String action;

    WebhookEvent(String entity, String action) {
        this.entity = entity;
        this.action = action;
    }

    /** E.g. {@code model_version}. */
    public String entity() {
        return entity;
    }

    /** E.g. {@code created}. */
    public String action() {
        return action;
    }

    /** {@code entity.action}, e.g. {@code model_version.created}. */
    @Override
    public String toString() {
        return entity + "." + action;
    }

    /** The event of an entity and an action, in either case; {@code INVALID_PARAMETER_VALUE} for another pair. */
    public static WebhookEvent of(String entity, String action) {
        for (WebhookEvent e : values()) {
            if (e.entity.equalsIgnoreCase(entity) && e.action.equalsIgnoreCase(action)) return e;
        }
        throw MlvException.invalid("Invalid webhook event entity '" + entity + "' with action '" + action + "': expected one of "
                + Arrays.stream(values()).map(WebhookEvent::toString).collect(Collectors.joining(", ")));
    }

    /** The event written {@code entity.action}. */
    public static WebhookEvent parse(String text) {
        int dot = text.indexOf('.');
        return dot < 0 ? of(text, "") : of(text.substring(0, dot), text.substring(dot + 1));
    }

    /** An event's data: the pairs given, in order, nulls kept. */
    public static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** The entity as MLflow's proto enum names it, e.g. {@code MODEL_VERSION}. */
    public String protoEntity() {
        return entity.toUpperCase(Locale.ROOT);
    }

    /** The action as MLflow's proto enum names it, e.g. {@code CREATED}. */
    public String protoAction() {
        return action.toUpperCase(Locale.ROOT);
    }
}
