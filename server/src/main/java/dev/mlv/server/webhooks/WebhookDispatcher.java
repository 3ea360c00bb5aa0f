package dev.mlv.server.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.RegistryStore;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;
import dev.mlv.webhooks.WebhookEvent;
import org.apache.http.Header;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends the webhook deliveries that registry changes queue ({@link WebhookDelivery}), as MLflow's server sends its
 * events (Standard Webhooks style):
 * <ul>
 *   <li>a {@code POST} of {@code {"entity", "action", "timestamp", "data"}} (JSON; the timestamp is the change's);</li>
 *   <li>headers {@value #DELIVERY_ID_HEADER} (the delivery's id, the same on every attempt, so a receiver can drop a
 *       repeat), {@value #TIMESTAMP_HEADER} (Unix seconds of the attempt) and, for a webhook with a secret,
 *       {@value #SIGNATURE_HEADER}: {@code v1,} and the Base64 HMAC-SHA256, keyed by the secret, of
 *       {@code <delivery id>.<timestamp>.<body>};</li>
 *   <li>after a connection failure, a 429 or a 5xx, another attempt later (1, 2, 4 … s or the receiver's
 *       {@code Retry-After}), up to {@link WebhookSettings#maxRetries()} times; no redirects are followed;</li>
 *   <li>connections only to addresses {@link WebhookUrlPolicy#resolve} allows, resolved once per connection.</li>
 * </ul>
 * The deliveries wait in the database, queued in the transaction of their change: every replica polls for due ones
 * (at once after a registry change it served, else every {@value #POLL_MILLIS} ms), claims them for a lease, and
 * records each outcome. A server that stops mid-attempt leaves the delivery to another, or to itself after a
 * restart, once the lease runs out: events are delivered at least once.
 */
public final class WebhookDispatcher implements AutoCloseable {
    public static final String SIGNATURE_HEADER = "X-MLflow-Signature";
    public static final String TIMESTAMP_HEADER = "X-MLflow-Timestamp";
    public static final String DELIVERY_ID_HEADER = "X-MLflow-Delivery-Id";
    static final long POLL_MILLIS = 500;
    /** Most bytes of a receiver's answer kept. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** What a receiver answered (status 0 and an error when no answer came); {@code retryAfter} in seconds, or null. */
    public record Delivery(int status, String body, String error, Long retryAfter, boolean refusedAddress) {
        public boolean success() {
            return error == null && status > 0 && status < 400;
        }

        boolean retryable() {
            return !refusedAddress && (status == 0 || status == 429 || status >= 500);
        }
    }

    private final RegistryStore store;
    private final WebhookSettings settings;
    private final WebhookUrlPolicy policy;
    private final WebhookSecrets secrets;
    private final ObjectMapper json;
    private final CloseableHttpClient http;
    private final ExecutorService pool;
    /** Aborts an attempt that outlives the timeout (a receiver trickling its answer defeats the read timeout). */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "mlv-webhook-deadlines"));
    private final Thread poller;
    private final Semaphore wake = new Semaphore(0);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final String ownerPrefix = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicLong claims = new AtomicLong();
    private volatile boolean running = true;
    /** Whether the last poll failed (the poller thread's own state). */
    private boolean failing;

    public WebhookDispatcher(RegistryStore store, WebhookSettings settings, ObjectMapper json) {
        this.store = store;
        this.settings = settings;
        this.policy = new WebhookUrlPolicy(settings);
        this.secrets = new WebhookSecrets(settings.secretEncryptionKey());
        this.json = json;
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
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(settings.workers(), r -> daemon(r, "mlv-webhook-" + n.incrementAndGet()));
        this.poller = daemon(this::poll, "mlv-webhook-poller");
        poller.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The URL rules of this server's settings. */
    public WebhookUrlPolicy policy() {
        return policy;
    }

    /** How this server keeps secrets in the database. */
    public WebhookSecrets secrets() {
        return secrets;
    }

    /** Looks for due deliveries now (a registry change may just have queued some). */
    public void nudge() {
        if (wake.availablePermits() == 0) wake.release();
    }

    private void poll() {
        while (running) {
            try {
                int free = settings.workers() - inFlight.get();
                if (free > 0) {
                    String owner = ownerPrefix + "-" + claims.incrementAndGet();
                    List<WebhookDelivery> due = store.claimWebhookDeliveries(owner, free, leaseMillis());
                    failing = false;
                    for (WebhookDelivery d : due) {
                        inFlight.incrementAndGet();
                        pool.execute(() -> {
                            try {
                                attempt(d, owner);
                            } catch (RuntimeException e) {
                                LOG.warn("Webhook delivery {} not recorded (tried again when its lease runs out): {}", d.id(), e.toString());
                            } finally {
                                inFlight.decrementAndGet();
                                nudge();
                            }
                        });
                    }
                    if (!due.isEmpty() && due.size() == free) continue; // more may be due
                }
            } catch (RuntimeException e) {
                // once per outage (the database down, say), not every poll
                if (!failing) LOG.warn("Cannot look for webhook deliveries (trying again every {} ms): {}", POLL_MILLIS, e.toString());
                failing = true;
            }
            try {
                wake.tryAcquire(POLL_MILLIS, TimeUnit.MILLISECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Long enough for one attempt (connect and read timeouts) with a margin: only a server that died loses it. */
    private long leaseMillis() {
        return 2 * settings.timeout().toMillis() + 30_000;
    }

    private void attempt(WebhookDelivery d, String owner) {
        Webhook w;
        try {
            w = store.getWebhook(d.webhookId());
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_DOES_NOT_EXIST) throw e;
            return; // deleted meanwhile, with its deliveries
        }
        if (!w.active()) {
            store.recordWebhookAttempt(d.id(), owner, false, null, "not sent: the webhook is disabled", null);
            return;
        }
        Delivery r = send(w, d.event(), d.data(), d.id(), d.createdMillis());
        Long retryAt = null;
        if (!r.success() && r.retryable() && d.attempts() < settings.maxRetries()) {
            retryAt = System.currentTimeMillis() + backoff(d.attempts(), r.retryAfter());
        }
        if (!r.success()) {
            LOG.warn("Webhook {} ({}) failed for {} (attempt {}): {}", w.id(), w.url(), d.event(), d.attempts() + 1,
                    r.error() != null ? r.error() : "HTTP " + r.status());
        }
        store.recordWebhookAttempt(d.id(), owner, r.success(), r.status() > 0 ? r.status() : null,
                r.error() != null ? r.error() : r.success() ? null : "HTTP " + r.status(), retryAt);
    }

    /**
     * Sends {@code event} with {@code data} to {@code webhook} now (a test delivery), with the retries a queued
     * delivery gets, waiting between them; the last answer.
     */
    public Delivery deliver(Webhook webhook, WebhookEvent event, Map<String, ?> data) {
        String body;
        try {
            body = json.writeValueAsString(data);
        } catch (IOException e) {
            return new Delivery(0, null, "Cannot write the payload: " + e.getMessage(), null, false);
        }
        String id = UUID.randomUUID().toString();
        for (int attempt = 0; ; attempt++) {
            Delivery r = send(webhook, event, body, id, System.currentTimeMillis());
            if (r.success() || !r.retryable() || attempt >= settings.maxRetries()) return r;
            try {
                Thread.sleep(backoff(attempt, r.retryAfter()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
    }

    /** One attempt: the POST of {@code event} with its {@code data} (a JSON object) to {@code webhook}. */
    private Delivery send(Webhook webhook, WebhookEvent event, String data, String deliveryId, long eventMillis) {
        String secret;
        byte[] payload;
        try {
            policy.allowed(webhook.url()); // the addresses are checked as the connection is made
            secret = secrets.open(webhook.secret());
            ObjectNode body = json.createObjectNode();
            body.put("entity", event.entity());
            body.put("action", event.action());
            body.put("timestamp", Instant.ofEpochMilli(eventMillis).toString());
            body.set("data", json.readTree(data));
            payload = json.writeValueAsBytes(body);
        } catch (MlvException | IOException e) {
            return new Delivery(0, null, e.getMessage(), null, true);
        }
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        HttpPost post = new HttpPost(webhook.url());
        post.setEntity(new ByteArrayEntity(payload, ContentType.APPLICATION_JSON));
        post.setHeader(DELIVERY_ID_HEADER, deliveryId);
        post.setHeader(TIMESTAMP_HEADER, timestamp);
        if (secret != null) post.setHeader(SIGNATURE_HEADER, signature(secret, deliveryId, timestamp, payload));
        ScheduledFuture<?> deadline = deadlines.schedule(post::abort, settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        try (CloseableHttpResponse r = http.execute(post)) {
            String answer = r.getEntity() == null ? "" : read(r.getEntity().getContent());
            Header retryAfter = r.getFirstHeader("Retry-After");
            return new Delivery(r.getStatusLine().getStatusCode(), answer, null, seconds(retryAfter), false);
        } catch (IOException e) {
            String why = post.isAborted() ? "no answer within " + settings.timeout().toSeconds() + " s" : e.getMessage();
            return new Delivery(0, null, "Cannot deliver to " + webhook.url() + ": " + why, null,
                    e instanceof WebhookUrlPolicy.NotPublicException);
        } finally {
            deadline.cancel(false);
        }
    }

    private static Long seconds(Header retryAfter) {
        if (retryAfter == null) return null;
        try {
            return Long.parseLong(retryAfter.getValue().trim());
        } catch (NumberFormatException e) {
            return null; // an HTTP date: the exponential back-off applies
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

    /** Milliseconds before attempt {@code attempts + 2}: {@code retryAfter} seconds, else 1, 2, 4 … s; at most 60 s. */
    private long backoff(int attempts, Long retryAfter) {
        long millis = retryAfter != null ? retryAfter * 1000 : settings.firstBackoff().toMillis() << Math.min(attempts, 16);
        return Math.max(0, Math.min(millis, WebhookSettings.MAX_BACKOFF.toMillis()));
    }

    private static String read(InputStream in) throws IOException {
        try (in) {
            return new String(in.readNBytes(MAX_ANSWER_BYTES), StandardCharsets.UTF_8);
        }
    }

    /**
     * Stops polling and lets attempts under way finish for a few seconds. Deliveries not recorded by then go to
     * another server, or to this one after a restart, when their lease runs out.
     */
    @Override
    public void close() {
        running = false;
        poller.interrupt();
        deadlines.shutdownNow();
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) pool.shutdownNow();
            poller.join(5_000);
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
