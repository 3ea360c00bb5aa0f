package dev.mlv.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Page;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;
import dev.mlv.webhooks.WebhookEvent;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The webhooks of {@link JdbcRegistryStore} and their outbox of deliveries. Changes to a webhook take the registry
 * lock and append their audit event to the registry's chain in the same transaction, as every registry mutation
 * does; registry mutations queue deliveries in their own transaction ({@link #enqueue}); servers claim, send and
 * record them without the registry lock.
 */
final class JdbcWebhooks {
    static final int MAX_NAME = 256;
    static final int MAX_URL = 2048;
    static final int MAX_DESCRIPTION = 5000;
    /** Longest stored secret (as stored: the server encrypts secrets of up to 1,000 characters into fewer than this). */
    static final int MAX_SECRET = 2000;
    /** Finished deliveries are kept this long. */
    static final long KEEP_MILLIS = 30L * 24 * 3600 * 1000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DELIVERY_COLUMNS = "delivery_id, webhook_id, event, data, created_ms, status, attempts, "
            + "next_attempt_ms, last_status, last_error";
    private static final String COLUMNS = "webhook_id, name, description, url, events, status, secret, creation_timestamp, "
            + "last_updated_timestamp";

    private final JdbcRegistryStore registry;
    private final Database db;
    private final LongSupplier clock;

    JdbcWebhooks(JdbcRegistryStore registry, Database db, LongSupplier clock) {
        this.registry = registry;
        this.db = db;
        this.clock = clock;
    }

    Webhook create(Webhook.Spec spec, String user) {
        String name = name(spec.name());
        String url = url(spec.url());
        List<WebhookEvent> events = events(spec.events());
        String description = description(spec.description());
        String secret = spec.secret() == null || spec.secret().isEmpty() ? null : secret(spec.secret());
        boolean active = spec.active() == null || spec.active();
        return registry.write(c -> {
            long now = clock.getAsLong();
            Webhook w = new Webhook(UUID.randomUUID().toString().replace("-", ""), name, description, url, events, active,
                    secret, now, now);
            Jdbc.update(c, "INSERT INTO webhooks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", w.id(), w.name(),
                    w.description(), w.url(), join(w.events()), w.status(), w.secret(), now, now);
            registry.audit(c, user, "webhook.create", null, null, payload(w), now);
            return w;
        });
    }

    Webhook get(String id) {
        return db.read(c -> load(c, id));
    }

    Page<Webhook> list(int maxResults, String pageToken) {
        int offset = JdbcRegistryStore.decodeToken(pageToken);
        return db.read(c -> {
            List<Webhook> rows = Jdbc.query(c, "SELECT " + COLUMNS + " FROM webhooks ORDER BY creation_timestamp DESC, "
                    + "webhook_id LIMIT ? OFFSET ?", List.of(maxResults + 1, offset), JdbcWebhooks::row);
            return page(rows, maxResults, offset);
        });
    }

    /** The first {@code maxResults} of {@code rows} (read with one more, to know whether a next page exists). */
    private static <T> Page<T> page(List<T> rows, int maxResults, int offset) {
        if (rows.size() <= maxResults) return new Page<>(rows, null);
        return new Page<>(List.copyOf(rows.subList(0, maxResults)), JdbcRegistryStore.encodeToken(offset + maxResults));
    }

    Webhook update(String id, Webhook.Spec change, String user) {
        return registry.write(c -> {
            Webhook old = load(c, id);
            String secret = change.secret() == null ? old.secret() : change.secret().isEmpty() ? null : secret(change.secret());
            long now = clock.getAsLong();
            Webhook w = new Webhook(id,
                    change.name() == null ? old.name() : name(change.name()),
                    change.description() == null ? old.description() : description(change.description()),
                    change.url() == null ? old.url() : url(change.url()),
                    change.events() == null || change.events().isEmpty() ? old.events() : events(change.events()),
                    change.active() == null ? old.active() : change.active(),
                    secret, old.creationTimestamp(), now);
            Jdbc.update(c, "UPDATE webhooks SET name = ?, description = ?, url = ?, events = ?, status = ?, secret = ?, "
                    + "last_updated_timestamp = ? WHERE webhook_id = ?", w.name(), w.description(), w.url(),
                    join(w.events()), w.status(), w.secret(), now, id);
            Map<String, Object> p = payload(w);
            p.put("secret_changed", change.secret() != null);
            registry.audit(c, user, "webhook.update", null, null, p, now);
            return w;
        });
    }

    void delete(String id, String user) {
        registry.write(c -> {
            Webhook w = load(c, id);
            Jdbc.update(c, "DELETE FROM webhook_deliveries WHERE webhook_id = ?", id);
            Jdbc.update(c, "DELETE FROM webhooks WHERE webhook_id = ?", id);
            registry.audit(c, user, "webhook.delete", null, null, payload(w), clock.getAsLong());
            return null;
        });
    }

    /** Queues {@code event} with {@code data} for every active webhook subscribed to it, in the caller's transaction. */
    void enqueue(Connection c, WebhookEvent event, Map<String, ?> data, long now) throws SQLException {
        List<Webhook> hooks = Jdbc.query(c, "SELECT " + COLUMNS + " FROM webhooks WHERE status = 'ACTIVE'", List.of(),
                JdbcWebhooks::row);
        String json = null;
        long seq = 0;
        for (Webhook w : hooks) {
            if (!w.events().contains(event)) continue;
            if (json == null) {
                json = toJson(data);
                seq = Jdbc.queryOne(c, "SELECT MAX(seq) FROM webhook_deliveries", List.of(), rs -> rs.getLong(1)).orElse(0L);
            }
            Jdbc.update(c, "INSERT INTO webhook_deliveries (delivery_id, seq, webhook_id, event, data, created_ms, status, "
                    + "attempts, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 0, ?)", UUID.randomUUID().toString(),
                    ++seq, w.id(), event.toString(), json, now, now);
        }
    }

    List<WebhookDelivery> claim(String owner, int max, long leaseMillis) {
        long now = clock.getAsLong();
        String due = "status = 'PENDING' AND next_attempt_ms <= ? AND (claim_until_ms IS NULL OR claim_until_ms < ?)";
        // a read first: most polls find nothing, and then take no write lock
        if (db.read(c -> Jdbc.query(c, "SELECT delivery_id FROM webhook_deliveries WHERE " + due + " LIMIT 1",
                List.of(now, now), rs -> rs.getString(1))).isEmpty()) {
            return List.of();
        }
        return db.write(c -> {
            // the outer conditions are checked again on the row a concurrent claim may just have taken
            Jdbc.update(c, "UPDATE webhook_deliveries SET claimed_by = ?, claim_until_ms = ? WHERE delivery_id IN ("
                    + "SELECT delivery_id FROM webhook_deliveries WHERE " + due + " ORDER BY seq LIMIT ?) AND "
                    + due, owner, now + leaseMillis, now, now, max, now, now);
            return Jdbc.query(c, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE claimed_by = ? ORDER BY seq",
                    List.of(owner), JdbcWebhooks::delivery);
        });
    }

    void record(String deliveryId, String owner, boolean delivered, Integer httpStatus, String error, Long retryAtMillis) {
        db.write(c -> {
            long now = clock.getAsLong();
            String status = delivered ? "DELIVERED" : retryAtMillis != null ? "PENDING" : "FAILED";
            Jdbc.update(c, "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_ms = ?, "
                    + "claimed_by = NULL, claim_until_ms = NULL, last_status = ?, last_error = ? WHERE delivery_id = ? "
                    + "AND claimed_by = ?", status, retryAtMillis != null ? retryAtMillis : now, httpStatus,
                    error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error, deliveryId, owner);
            Jdbc.update(c, "DELETE FROM webhook_deliveries WHERE status <> 'PENDING' AND created_ms < ?", now - KEEP_MILLIS);
            return null;
        });
    }

    WebhookDelivery redeliver(String deliveryId, String user) {
        return registry.write(c -> {
            WebhookDelivery d = loadDelivery(c, deliveryId);
            if (d.status() == WebhookDelivery.Status.PENDING) {
                throw MlvException.invalid("Webhook delivery " + deliveryId + " is still pending: it is sent or retried already");
            }
            long now = clock.getAsLong();
            Jdbc.update(c, "UPDATE webhook_deliveries SET status = 'PENDING', attempts = 0, next_attempt_ms = ?, "
                    + "claimed_by = NULL, claim_until_ms = NULL WHERE delivery_id = ?", now, deliveryId);
            Map<String, Object> p = new TreeMap<>();
            p.put("delivery_id", deliveryId);
            p.put("webhook_id", d.webhookId());
            p.put("event", d.event().toString());
            p.put("was", d.status().name());
            registry.audit(c, user, "webhook.redeliver", null, null, p, now);
            return loadDelivery(c, deliveryId);
        });
    }

    private static WebhookDelivery loadDelivery(Connection c, String id) throws SQLException {
        if (id == null || id.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'delivery_id'");
        return Jdbc.queryOne(c, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE delivery_id = ?", List.of(id),
                JdbcWebhooks::delivery).orElseThrow(() -> MlvException.notFound("Webhook delivery " + id + " not found"));
    }

    Page<WebhookDelivery> deliveries(String webhookId, int maxResults, String pageToken) {
        int offset = JdbcRegistryStore.decodeToken(pageToken);
        return db.read(c -> {
            load(c, webhookId);
            List<WebhookDelivery> rows = Jdbc.query(c, "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE "
                    + "webhook_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?", List.of(webhookId, maxResults + 1, offset),
                    JdbcWebhooks::delivery);
            return page(rows, maxResults, offset);
        });
    }

    private static WebhookDelivery delivery(ResultSet rs) throws SQLException {
        return new WebhookDelivery(rs.getString("delivery_id"), rs.getString("webhook_id"),
                WebhookEvent.parse(rs.getString("event")), rs.getString("data"), rs.getLong("created_ms"),
                WebhookDelivery.Status.valueOf(rs.getString("status")), rs.getInt("attempts"), rs.getLong("next_attempt_ms"),
                Jdbc.getInt(rs, "last_status"), rs.getString("last_error"));
    }

    private static String toJson(Map<String, ?> data) {
        try {
            return JSON.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Webhook load(Connection c, String id) throws SQLException {
        if (id == null || id.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'webhook_id'");
        return Jdbc.queryOne(c, "SELECT " + COLUMNS + " FROM webhooks WHERE webhook_id = ?", List.of(id), JdbcWebhooks::row)
                .orElseThrow(() -> MlvException.notFound("Webhook with ID " + id + " not found"));
    }

    private static Webhook row(ResultSet rs) throws SQLException {
        List<WebhookEvent> events = Arrays.stream(rs.getString("events").split(",")).map(WebhookEvent::parse).toList();
        return new Webhook(rs.getString("webhook_id"), rs.getString("name"), rs.getString("description"),
                rs.getString("url"), events, "ACTIVE".equals(rs.getString("status")), rs.getString("secret"),
                rs.getLong("creation_timestamp"), rs.getLong("last_updated_timestamp"));
    }

    /** The audit payload: what the webhook is, never its secret. */
    private static Map<String, Object> payload(Webhook w) {
        Map<String, Object> p = new TreeMap<>();
        p.put("webhook_id", w.id());
        p.put("name", w.name());
        p.put("url", w.url());
        p.put("events", w.events().stream().map(WebhookEvent::toString).toList());
        p.put("status", w.status());
        p.put("signed", w.secret() != null);
        return p;
    }

    private static String join(List<WebhookEvent> events) {
        return events.stream().map(WebhookEvent::toString).collect(Collectors.joining(","));
    }

    private static String name(String name) {
        if (name == null || name.isBlank()) throw MlvException.invalid("Missing value for required parameter 'name'");
        if (name.length() > MAX_NAME) throw MlvException.invalid("Webhook name exceeds the maximum length of " + MAX_NAME);
        return name;
    }

    private static String secret(String secret) {
        if (secret.length() > MAX_SECRET) throw MlvException.invalid("Webhook secret exceeds the maximum length of " + MAX_SECRET);
        return secret;
    }

    private static String description(String description) {
        if (description != null && description.length() > MAX_DESCRIPTION) {
            throw MlvException.invalid("Webhook description exceeds the maximum length of " + MAX_DESCRIPTION);
        }
        return description;
    }

    private static String url(String url) {
        if (url == null || url.isBlank()) throw MlvException.invalid("Missing value for required parameter 'url'");
        if (url.length() > MAX_URL) throw MlvException.invalid("Webhook URL exceeds the maximum length of " + MAX_URL);
        Webhook.httpUrl(url);
        return url;
    }

    private static List<WebhookEvent> events(List<WebhookEvent> events) {
        if (events == null || events.isEmpty()) throw MlvException.invalid("Webhook events cannot be empty");
        return new ArrayList<>(new LinkedHashSet<>(events));
    }
}
