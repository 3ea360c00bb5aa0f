package dev.mlv.server.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.RegistryStore;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookEvent;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpPost;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivers registry events to the webhooks subscribed to them, as MLflow's server does (Standard Webhooks style):
 * <ul>
 *   <li>a {@code POST} of {@code {"entity", "action", "timestamp", "data"}} (JSON) after the change is committed, on
 *       a pool of background threads, so a slow receiver never delays a registry request;</li>
 *   <li>headers {@value #DELIVERY_ID_HEADER} (a UUID), {@value #TIMESTAMP_HEADER} (Unix seconds) and, for a webhook
 *       with a secret, {@value #SIGNATURE_HEADER}: {@code v1,} and the Base64 HMAC-SHA256, keyed by the secret, of
 *       {@code <delivery id>.<timestamp>.<body>};</li>
 *   <li>retries after a connection failure, a 429 or a 5xx, with exponential back-off or the receiver's
 *       {@code Retry-After}; no redirects are followed;</li>
 *   <li>connections only to addresses {@link WebhookUrlPolicy#resolve} allows, resolved once per connection.</li>
 * </ul>
 * Deliveries are not persisted: events of a server that stops meanwhile, or beyond the queue's
 * {@value #QUEUE_CAPACITY} waiting deliveries, are logged and dropped.
 */
public final class WebhookDispatcher implements AutoCloseable {
    public static final String SIGNATURE_HEADER = "X-MLflow-Signature";
    public static final String TIMESTAMP_HEADER = "X-MLflow-Timestamp";
    public static final String DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id";
    static final int QUEUE_CAPACITY = 10_000;
    /** Most bytes of a receiver's answer kept for a test delivery's result. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** What a receiver answered (status 0 and an error when no answer came). */
    public record Delivery(int status, String body, String error) {
        public boolean success() {
            return error == null && status > 0 && status < 400;
        }
    }

    private final RegistryStore store;
    private final WebhookSettings settings;
    private final WebhookUrlPolicy policy;
    private final WebhookSecrets secrets;
    private final ObjectMapper json;
    private final ThreadPoolExecutor pool;
    private final CloseableHttpClient http;

    public WebhookDispatcher(RegistryStore store, WebhookSettings settings, ObjectMapper json) {
        this.store = store;
        this.settings = settings;
        this.policy = new WebhookUrlPolicy(settings);
        this.secrets = new WebhookSecrets(settings.secretEncryptionKey());
        this.json = json;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(settings.workers(), settings.workers(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
                    Thread t = new Thread(r, "mlv-webhook-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, (task, executor) -> LOG.error("Webhook delivery dropped: {} deliveries are waiting already", QUEUE_CAPACITY));
        pool.allowCoreThreadTimeOut(true);
        int millis = (int) settings.timeout().toMillis();
        this.http = HttpClients.custom()
                .setDnsResolver(policy::resolve)
                .setDefaultRequestConfig(RequestConfig.custom().setConnectTimeout(millis).setSocketTimeout(millis)
                        .setConnectionRequestTimeout(millis).setRedirectsEnabled(false).build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setMaxConnTotal(settings.workers() * 2)
                .setMaxConnPerRoute(settings.workers())
                .setUserAgent("mlv-webhooks")
                .build();
    }

    /** The URL rules of this server's settings. */
    public WebhookUrlPolicy policy() {
        return policy;
    }

    /** How this server keeps secrets in the database. */
    public WebhookSecrets secrets() {
        return secrets;
    }

    /**
     * Queues the delivery of {@code event} with {@code data} to every active webhook subscribed to it. Never throws:
     * the registry change is committed already, and a failure to deliver is logged.
     */
    public void fire(WebhookEvent event, Map<String, ?> data) {
        List<Webhook> hooks;
        try {
            hooks = store.activeWebhooks(event);
        } catch (RuntimeException e) {
            LOG.error("Cannot look up the webhooks of {}: {}", event, e.toString());
            return;
        }
        for (Webhook w : hooks) {
            pool.execute(() -> {
                Delivery d = deliver(w, event, data);
                if (!d.success()) {
                    LOG.warn("Webhook {} ({}) failed for {}: {}", w.id(), w.url(), event,
                            d.error() != null ? d.error() : "HTTP " + d.status());
                }
            });
        }
    }

    /** Sends {@code event} with {@code data} to {@code webhook} now, retrying as a delivery does; the last answer. */
    public Delivery deliver(Webhook webhook, WebhookEvent event, Map<String, ?> data) {
        String secret;
        try {
            policy.check(webhook.url());
            secret = secrets.open(webhook.secret());
        } catch (MlvException e) {
            return new Delivery(0, null, e.getMessage());
        }
        ObjectNode body = json.createObjectNode();
        body.put("entity", event.entity());
        body.put("action", event.action());
        body.put("timestamp", Instant.now().toString());
        body.set("data", json.valueToTree(data));
        byte[] payload;
        try {
            payload = json.writeValueAsBytes(body);
        } catch (IOException e) {
            return new Delivery(0, null, "Cannot write the payload: " + e.getMessage());
        }
        String deliveryId = UUID.randomUUID().toString();
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HttpPost post = new HttpPost(webhook.url());
        post.setEntity(new ByteArrayEntity(payload, ContentType.APPLICATION_JSON));
        post.setHeader(DELIVERY_ID_HEADER, deliveryId);
        post.setHeader(TIMESTAMP_HEADER, timestamp);
        if (secret != null) post.setHeader(SIGNATURE_HEADER, signature(secret, deliveryId, timestamp, payload));
        for (int attempt = 0; ; attempt++) {
            long waitMillis;
            try (CloseableHttpResponse r = http.execute(post)) {
                int status = r.getStatusLine().getStatusCode();
                String answer = r.getEntity() == null ? "" : read(r.getEntity().getContent());
                boolean retryable = status == 429 || status >= 500;
                if (!retryable || attempt >= settings.maxRetries()) return new Delivery(status, answer, null);
                waitMillis = backoff(attempt, r.getFirstHeader("Retry-After") == null ? null : r.getFirstHeader("Retry-After").getValue());
            } catch (IOException e) {
                if (e instanceof WebhookUrlPolicy.NotPublicException || attempt >= settings.maxRetries()) {
                    return new Delivery(0, null, "Cannot deliver to " + webhook.url() + ": " + e.getMessage());
                }
                waitMillis = backoff(attempt, null);
            }
            try {
                Thread.sleep(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Delivery(0, null, "Interrupted");
            }
        }
    }

    /** {@code v1,} and the Base64 HMAC-SHA256 of {@code <deliveryId>.<timestamp>.<payload>} keyed by {@code secret}. */
    public static String signature(String secret, String deliveryId, String timestamp, byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((deliveryId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(payload));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Milliseconds before retry {@code attempt + 1}: the receiver's {@code Retry-After} seconds, else 1, 2, 4 … s; at most 60 s. */
    private long backoff(int attempt, String retryAfter) {
        long millis = settings.firstBackoff().toMillis() << Math.min(attempt, 16);
        if (retryAfter != null) {
            try {
                millis = Long.parseLong(retryAfter.trim()) * 1000;
            } catch (NumberFormatException ignored) {
                // an HTTP date: keep the exponential back-off
            }
        }
        return Math.max(0, Math.min(millis, WebhookSettings.MAX_BACKOFF.toMillis()));
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        }
    }

    /** An event's data: the pairs given, in order, nulls kept. */
    public static Map<String, Object> data(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        return m;
    }

    /** Lets queued deliveries finish for a few seconds, then stops. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) pool.shutdownNow();
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            http.close();
        } catch (IOException e) {
            LOG.debug("Closing the webhook HTTP client: {}", e.toString());
        }
    }
}
