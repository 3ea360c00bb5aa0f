package dev.mlv.server.webhooks;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * How the server delivers webhooks. {@link #fromEnvironment} reads each setting from {@code MLV_WEBHOOK_…}, else
 * MLflow's {@code MLFLOW_WEBHOOK_…} of the same name, with MLflow's defaults:
 * <ul>
 *   <li>{@code ALLOWED_SCHEMES}: URL schemes a webhook may use, comma-separated (default {@code https});</li>
 *   <li>{@code ALLOW_PRIVATE_IPS}: {@code true} lets webhooks reach loopback, private and link-local addresses
 *       (default false: only public addresses, checked when a webhook is saved and again on every connection);</li>
 *   <li>{@code REQUEST_TIMEOUT}: seconds per delivery attempt (default 30);</li>
 *   <li>{@code REQUEST_MAX_RETRIES}: retries after a connection failure, 429 or 5xx (default 3), waiting 1, 2, 4 …
 *       seconds (or what {@code Retry-After} asks, up to 60);</li>
 *   <li>{@code DELIVERY_MAX_WORKERS}: deliveries in parallel (default 10);</li>
 *   <li>{@code SECRET_ENCRYPTION_KEY}: encrypts webhook secrets in the database ({@link WebhookSecrets}; default
 *       none: stored as given).</li>
 * </ul>
 */
public record WebhookSettings(Set<String> allowedSchemes, boolean allowPrivateIps, Duration timeout, int maxRetries,
                              Duration firstBackoff, int workers, String secretEncryptionKey) {
    public static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    public static WebhookSettings fromEnvironment(UnaryOperator<String> env) {
        return new WebhookSettings(
                Arrays.stream(setting(env, "ALLOWED_SCHEMES", "https").split(","))
                        .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
                Boolean.parseBoolean(setting(env, "ALLOW_PRIVATE_IPS", "false").trim()),
                Duration.ofSeconds(number(env, "REQUEST_TIMEOUT", 30)),
                number(env, "REQUEST_MAX_RETRIES", 3),
                Duration.ofSeconds(1),
                Math.max(1, number(env, "DELIVERY_MAX_WORKERS", 10)),
                setting(env, "SECRET_ENCRYPTION_KEY", null));
    }

    private static String setting(UnaryOperator<String> env, String name, String fallback) {
        for (String prefix : new String[] {"MLV_WEBHOOK_", "MLFLOW_WEBHOOK_"}) {
            String v = env.apply(prefix + name);
            if (v != null && !v.isBlank()) return v;
        }
        return fallback;
    }

    private static int number(UnaryOperator<String> env, String name, int fallback) {
        String v = setting(env, name, Integer.toString(fallback)).trim();
        try {
            return Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("MLV_WEBHOOK_" + name + " must be a whole number, got '" + v + "'");
        }
    }
}
