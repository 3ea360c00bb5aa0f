package dev.mlv.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.RegistryStore;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.server.registry.RegistryEndpoints;
import dev.mlv.server.registry.RequestUser;
import dev.mlv.tracking.Page;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;
import dev.mlv.webhooks.WebhookEvent;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.mlv.server.Endpoints.mlflowDelete;
import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPatch;
import static dev.mlv.server.Endpoints.mlflowPost;
import static dev.mlv.webhooks.WebhookEvent.data;

/**
 * MLflow 3's webhooks API (webhooks.proto): {@code POST/GET /mlflow/webhooks}, {@code GET/PATCH/DELETE
 * /mlflow/webhooks/{webhook_id}} and {@code POST /mlflow/webhooks/{webhook_id}/test}. Events are
 * {@code {"entity": "MODEL_VERSION", "action": "CREATED"}} objects (names or enum numbers; the string
 * {@code "model_version.created"} is accepted too); the secret is write-only. URLs go through {@link WebhookUrlPolicy}.
 * mlv adds {@code GET /api/2.0/mlv/webhooks/deliveries?webhook_id=…} (what was sent, when, and what came back) and
 * {@code POST /api/2.0/mlv/webhooks/deliveries/redeliver} {@code {"delivery_id"}} (send a finished one again).
 */
public final class WebhookEndpoints implements Endpoints {
    public static final int DEFAULT_MAX_RESULTS = 100;
    public static final int MAX_RESULTS = 1000;
    public static final int MAX_SECRET = 1000;
    private static final List<String> STATUSES = List.of("ACTIVE", "DISABLED");
    private static final List<String> ENTITIES = List.of("REGISTERED_MODEL", "MODEL_VERSION", "MODEL_VERSION_TAG", "MODEL_VERSION_ALIAS");
    private static final List<String> ACTIONS = List.of("CREATED", "UPDATED", "DELETED", "SET");
    private static final String ONE = "webhooks/{webhook_id}";

    private final ServerContext ctx;

    public WebhookEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    private RegistryStore store() {
        return ctx.metadata().registry();
    }

    private WebhookDispatcher dispatcher() {
        return ctx.webhooks();
    }

    @Override
    public void register(RoutesConfig r) {
        mlflowPost(r, "webhooks", this::create);
        mlflowGet(r, "webhooks", this::list);
        mlflowGet(r, ONE, cx -> send(cx, store().getWebhook(cx.pathParam("webhook_id"))));
        mlflowPatch(r, ONE, this::update);
        mlflowDelete(r, ONE, cx -> {
            store().deleteWebhook(cx.pathParam("webhook_id"), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
        mlflowPost(r, ONE + "/test", this::test);
        r.get(MLV_API + "webhooks/deliveries", this::deliveries);
        r.post(MLV_API + "webhooks/deliveries/redeliver", cx -> {
            MlflowRequest q = MlflowRequest.of(cx, ctx.json());
            WebhookDelivery d = store().redeliverWebhookDelivery(q.requiredString("delivery_id"), RequestUser.of(cx));
            dispatcher().nudge();
            ObjectNode o = MlflowResponse.object();
            o.set("delivery", json(d));
            MlflowResponse.send(cx, ctx.json(), o);
        });
    }

    private void create(Context cx) {
        MlflowRequest q = MlflowRequest.of(cx, ctx.json());
        String url = q.string("url");
        if (url != null && !url.isBlank()) dispatcher().policy().check(url);
        String status = q.enumName("status", STATUSES);
        Webhook w = store().createWebhook(new Webhook.Spec(q.string("name"), q.string("description"), url, events(q),
                seal(q.string("secret")), status == null ? null : status.equals("ACTIVE")), RequestUser.of(cx));
        send(cx, w);
    }

    private void update(Context cx) {
        MlflowRequest q = MlflowRequest.of(cx, ctx.json());
        String url = q.string("url");
        if (url != null) dispatcher().policy().check(url);
        String status = q.enumName("status", STATUSES);
        List<WebhookEvent> events = events(q);
        Webhook w = store().updateWebhook(cx.pathParam("webhook_id"), new Webhook.Spec(q.string("name"),
                q.string("description"), url, events.isEmpty() ? null : events, seal(q.string("secret")),
                status == null ? null : status.equals("ACTIVE")), RequestUser.of(cx));
        send(cx, w);
    }

    /** The secret as stored: at most {@value #MAX_SECRET} characters, encrypted when the server has a key. */
    private String seal(String secret) {
        if (secret != null && secret.length() > MAX_SECRET) {
            throw MlvException.invalid("Webhook secret exceeds the maximum length of " + MAX_SECRET + " characters");
        }
        return dispatcher().secrets().seal(secret);
    }

    private void list(Context cx) {
        MlflowRequest q = MlflowRequest.of(cx, ctx.json());
        Page<Webhook> page = store().listWebhooks(maxResults(q), q.string("page_token"));
        ObjectNode o = MlflowResponse.object();
        MlflowResponse.putAll(o, "webhooks", page.items(), WebhookEndpoints::json);
        MlflowResponse.put(o, "next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    /** mlv's own: a webhook's deliveries, newest first ({@code webhook_id}, {@code max_results}, {@code page_token}). */
    private void deliveries(Context cx) {
        MlflowRequest q = MlflowRequest.of(cx, ctx.json());
        Page<WebhookDelivery> page = store().webhookDeliveries(q.requiredString("webhook_id"), maxResults(q), q.string("page_token"));
        ObjectNode o = MlflowResponse.object();
        ArrayNode arr = o.putArray("deliveries");
        page.items().forEach(d -> arr.add(json(d)));
        MlflowResponse.put(o, "next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private ObjectNode json(WebhookDelivery d) {
        ObjectNode n = MlflowResponse.object();
        n.put("delivery_id", d.id());
        n.put("webhook_id", d.webhookId());
        n.put("event", d.event().toString());
        n.put("status", d.status().name());
        n.put("attempts", d.attempts());
        n.put("created_timestamp", d.createdMillis());
        if (d.status() == WebhookDelivery.Status.PENDING) n.put("next_attempt_timestamp", d.nextAttemptMillis());
        if (d.lastStatus() != null) n.put("last_status", d.lastStatus());
        MlflowResponse.put(n, "last_error", d.lastError());
        n.set("data", readJson(d.data()));
        return n;
    }

    private JsonNode readJson(String text) {
        try {
            return ctx.json().readTree(text);
        } catch (java.io.IOException e) {
            return ctx.json().getNodeFactory().textNode(text);
        }
    }

    private static int maxResults(MlflowRequest q) {
        return RegistryEndpoints.maxResults(q, DEFAULT_MAX_RESULTS, MAX_RESULTS);
    }

    /** Sends an example of the event (the given one, else the webhook's first) now, and answers what came back. */
    private void test(Context cx) {
        Webhook w = store().getWebhook(cx.pathParam("webhook_id"));
        MlflowRequest q = MlflowRequest.of(cx, ctx.json());
        JsonNode e = q.fields().get("event");
        WebhookEvent event = e == null || e.isNull() ? w.events().get(0) : event(e);
        WebhookDispatcher.Delivery d = dispatcher().deliver(w, event, example(event));
        ObjectNode result = MlflowResponse.object();
        result.put("success", d.success());
        if (d.status() > 0) result.put("response_status", d.status());
        MlflowResponse.put(result, "response_body", d.body());
        MlflowResponse.put(result, "error_message", d.error());
        ObjectNode o = MlflowResponse.object();
        o.set("result", result);
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private List<WebhookEvent> events(MlflowRequest q) {
        JsonNode n = q.fields().get("events");
        List<WebhookEvent> out = new ArrayList<>();
        if (n == null || n.isNull()) return out;
        if (!n.isArray()) throw MlflowRequest.invalidValue("events", n, "expected a list of {entity, action}");
        for (JsonNode e : n) out.add(event(e));
        return out;
    }

    private static WebhookEvent event(JsonNode e) {
        if (e.isTextual()) return WebhookEvent.parse(e.textValue());
        if (!e.isObject()) throw MlflowRequest.invalidValue("events", e, "expected {\"entity\": …, \"action\": …}");
        MlflowRequest fields = MlflowRequest.ofJson((ObjectNode) e);
        return WebhookEvent.of(fields.enumName("entity", ENTITIES), fields.enumName("action", ACTIONS));
    }

    private void send(Context cx, Webhook w) {
        ObjectNode o = MlflowResponse.object();
        o.set("webhook", json(w));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    /** A webhook as the API shows it: without its secret. */
    static ObjectNode json(Webhook w) {
        ObjectNode o = MlflowResponse.object();
        o.put("webhook_id", w.id());
        o.put("name", w.name());
        MlflowResponse.put(o, "description", w.description());
        o.put("url", w.url());
        ArrayNode events = o.putArray("events");
        for (WebhookEvent e : w.events()) events.addObject().put("entity", e.protoEntity()).put("action", e.protoAction());
        o.put("status", w.status());
        o.put("creation_timestamp", w.creationTimestamp());
        o.put("last_updated_timestamp", w.lastUpdatedTimestamp());
        return o;
    }

    /** The example data a test delivery of {@code event} carries, shaped as the real event's. */
    static Map<String, Object> example(WebhookEvent event) {
        Map<String, String> tags = Map.of("example_key", "example_value");
        return switch (event) {
            case REGISTERED_MODEL_CREATED -> data("name", "example_model", "tags", tags, "description", "An example registered model");
            case MODEL_VERSION_CREATED -> data("name", "example_model", "version", "1", "source", "models:/123",
                    "run_id", "abcd1234abcd5678", "tags", tags, "description", "An example model version");
            case MODEL_VERSION_TAG_SET -> data("name", "example_model", "version", "1", "key", "example_key", "value", "example_value");
            case MODEL_VERSION_TAG_DELETED -> data("name", "example_model", "version", "1", "key", "example_key");
            case MODEL_VERSION_ALIAS_CREATED -> data("name", "example_model", "alias", "example_alias", "version", "1");
            case MODEL_VERSION_ALIAS_DELETED -> data("name", "example_model", "alias", "example_alias");
        };
    }
}
