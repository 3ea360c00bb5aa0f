package dev.mlv.webhooks;

import dev.mlv.errors.MlvException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * A registered webhook: where the registry's {@code events} are delivered while it is {@code active}. The
 * {@code secret} (null when none) signs each delivery and is never shown by the API.
 */
public record Webhook(String id, String name, String description, String url, List<WebhookEvent> events,
                      boolean active, String secret, long creationTimestamp, long lastUpdatedTimestamp) {
    public Webhook {
        events = List.copyOf(events);
    }

    /** {@code url} when it is an absolute {@code http} or {@code https} URL with a host; else {@code INVALID_PARAMETER_VALUE}. */
    public static URI httpUrl(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw MlvException.invalid("Invalid webhook URL '" + url + "': " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
            throw MlvException.invalid("Invalid webhook URL '" + url + "': expected an absolute http or https URL with a host");
        }
        return u;
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
