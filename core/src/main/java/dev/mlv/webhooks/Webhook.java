package dev.mlv.webhooks;

import java.util.List;

/**
 * A registered webhook: where the registry's {@code events} are delivered while it is {@code active}. The
 * {@code secret} (null when none) signs each delivery and is never shown by the API.
 */
public record Webhook(String id, String name, String description, String url, List<WebhookEvent> events,
                      boolean active, String secret, long creationTimestamp, long lastUpdatedTimestamp) {
    public Webhook {
        events = List.copyOf(events);
    }

    /** {@code ACTIVE} or {@code DISABLED}, as MLflow names the status. */
    public String status() {
        return active ? "ACTIVE" : "DISABLED";
    }

    /**
     * A new webhook's fields or an update's: in an update, null means unchanged (an empty {@code secret} removes the
     * secret).
     */
    public record Spec(String name, String description, String url, List<WebhookEvent> events, String secret, Boolean active) {
    }
}
