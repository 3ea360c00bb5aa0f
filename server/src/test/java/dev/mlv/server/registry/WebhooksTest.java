package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.sun.net.httpserver.HttpServer;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.webhooks.WebhookDispatcher;
import dev.mlv.server.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MLflow's webhooks API on a real server, delivering to a real HTTP receiver on loopback (allowed here by the
 * settings), and the URL policy of a server with the default settings.
 */
class WebhooksTest {
    static final String SECRET = "whsec-test";

    @TempDir
    static Path home;
    static MlvServer server;
    static RegistryHttp http;
    static HttpServer receiver;
    static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** Statuses the receiver answers, in order; 200 once empty. */
    static final ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>();

    record Received(Map<String, String> headers, String body) {
        JsonNode json() {
            try {
                return RegistryHttp.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @BeforeAll
    static void start() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k, v.get(0)));
            received.add(new Received(headers, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Integer status = answers.poll();
            byte[] body = ("answered " + (status == null ? 200 : status)).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status == null ? 200 : status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        receiver.start();
        WebhookSettings loopback = new WebhookSettings(Set.of("http", "https"), true, Duration.ofSeconds(5), 2,
                Duration.ofMillis(50), 2, "test encryption key");
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withWebhooks(loopback));
        http = new RegistryHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (receiver != null) receiver.stop(0);
    }

    @BeforeEach
    void clear() {
        received.clear();
        answers.clear();
    }

    static String hookUrl() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    static ArrayNode events(String... names) {
        ArrayNode a = RegistryHttp.JSON.createArrayNode();
        for (String n : names) {
            String[] p = n.split("\\.");
            a.addObject().put("entity", p[0].toUpperCase()).put("action", p[1].toUpperCase());
        }
        return a;
    }

    static String createHook(String name, ArrayNode events, String secret) {
        var body = obj("name", name, "url", hookUrl(), "events", events);
        if (secret != null) body.put("secret", secret);
        return http.ok(http.post(MLFLOW + "webhooks", body)).at("/webhook/webhook_id").asText();
    }

    static Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a delivery within 10 s").isNotNull();
        return r;
    }

    @Test
    void registryChangesReachTheSubscribedWebhookSignedWithItsSecret() throws Exception {
        String hook = createHook("all-" + UUID.randomUUID(), events("registered_model.created", "model_version.created",
                "model_version_tag.set", "model_version_tag.deleted", "model_version_alias.created",
                "model_version_alias.deleted"), SECRET);
        String model = "wh-" + UUID.randomUUID().toString().substring(0, 8);
        http.ok(http.post(MLFLOW + "registered-models/create", obj("name", model, "description", "fraud model",
                "tags", List.of(Map.of("key", "team", "value", "risk")))));
        String run = http.run(Map.of("auc", 0.9));
        String v1 = http.version(model, run);
        String v2 = http.version(model, run);
        http.ok(http.post(MLFLOW + "model-versions/set-tag", obj("name", model, "version", v1, "key", "validated", "value", "yes")));
        http.ok(http.delete(MLFLOW + "model-versions/delete-tag", obj("name", model, "version", v1, "key", "validated")));
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", model, "alias", "champion", "version", v1)));
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", model, "alias", "champion", "version", v2)));
        http.ok(http.post(MLV + "registered-models/rollback", obj("name", model, "alias", "champion", "reason", "v2 misbehaves")));
        http.ok(http.delete(MLFLOW + "registered-models/alias", obj("name", model, "alias", "champion")));

        List<Received> got = new ArrayList<>();
        for (int i = 0; i < 9; i++) got.add(next());
        // deliveries run in parallel: compare them in the order of the changes, by what they say
        List<String> said = got.stream().map(r -> r.json().path("entity").asText() + "." + r.json().path("action").asText()
                + " " + r.json().path("data")).sorted().toList();
        assertThat(said).containsExactlyInAnyOrder(
                "registered_model.created {\"name\":\"" + model + "\",\"tags\":{\"team\":\"risk\"},\"description\":\"fraud model\"}",
                "model_version.created {\"name\":\"" + model + "\",\"version\":\"1\",\"source\":\"runs:/" + run + "/model\",\"run_id\":\"" + run + "\",\"tags\":{},\"description\":null}",
                "model_version.created {\"name\":\"" + model + "\",\"version\":\"2\",\"source\":\"runs:/" + run + "/model\",\"run_id\":\"" + run + "\",\"tags\":{},\"description\":null}",
                "model_version_tag.set {\"name\":\"" + model + "\",\"version\":\"1\",\"key\":\"validated\",\"value\":\"yes\"}",
                "model_version_tag.deleted {\"name\":\"" + model + "\",\"version\":\"1\",\"key\":\"validated\"}",
                "model_version_alias.created {\"name\":\"" + model + "\",\"alias\":\"champion\",\"version\":\"1\"}",
                "model_version_alias.created {\"name\":\"" + model + "\",\"alias\":\"champion\",\"version\":\"2\"}",
                // the rollback moves the alias back to version 1
                "model_version_alias.created {\"name\":\"" + model + "\",\"alias\":\"champion\",\"version\":\"1\"}",
                "model_version_alias.deleted {\"name\":\"" + model + "\",\"alias\":\"champion\"}");
        for (Received r : got) {
            String id = r.headers().get(WebhookDispatcher.DELIVERY_ID_HEADER);
            String ts = r.headers().get(WebhookDispatcher.TIMESTAMP_HEADER);
            assertThat(UUID.fromString(id)).isNotNull();
            assertThat(Long.parseLong(ts)).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
            assertThat(r.headers().get("Content-Type")).startsWith("application/json");
            assertThat(r.headers().get(WebhookDispatcher.SIGNATURE_HEADER))
                    .isEqualTo(WebhookDispatcher.signature(SECRET, id, ts, r.body().getBytes(StandardCharsets.UTF_8)))
                    .isNotEqualTo(WebhookDispatcher.signature("another secret", id, ts, r.body().getBytes(StandardCharsets.UTF_8)));
            assertThat(java.time.Instant.parse(r.json().path("timestamp").asText())).isNotNull();
        }
        // the database holds the secret encrypted
        try (var db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.resolve("mlv.db"));
             var rs = db.createStatement().executeQuery("SELECT secret FROM webhooks WHERE webhook_id = '" + hook + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("aes256gcm:").doesNotContain(SECRET);
        }
        http.ok(http.delete(MLFLOW + "webhooks/" + hook, null));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void onlyActiveWebhooksSubscribedToTheEventAreCalledAndAnUnsignedOneHasNoSignature() throws Exception {
        String tags = createHook("tags-" + UUID.randomUUID(), events("model_version_tag.set"), null);
        String disabled = createHook("off-" + UUID.randomUUID(), events("registered_model.created"), null);
        http.ok(http.patch(MLFLOW + "webhooks/" + disabled, obj("status", "DISABLED")));
        http.createModel("quiet-" + UUID.randomUUID());
        assertThat(received.poll(500, TimeUnit.MILLISECONDS)).as("no webhook is active for registered_model.created").isNull();

        String model = "tagged-" + UUID.randomUUID().toString().substring(0, 8);
        http.createModel(model);
        String v = http.version(model, http.run(Map.of()));
        http.ok(http.post(MLFLOW + "model-versions/set-tag", obj("name", model, "version", v, "key", "k", "value", "v")));
        Received r = next();
        assertThat(r.json().path("entity").asText()).isEqualTo("model_version_tag");
        assertThat(r.headers()).doesNotContainKey(WebhookDispatcher.SIGNATURE_HEADER);
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).isNull();
        http.ok(http.delete(MLFLOW + "webhooks/" + tags, null));
        http.ok(http.delete(MLFLOW + "webhooks/" + disabled, null));
    }

    @Test
    void aFailedDeliveryIsRetriedWithTheSameIdButA4xxIsNot() throws Exception {
        String hook = createHook("retry-" + UUID.randomUUID(), events("registered_model.created"), SECRET);
        answers.add(503);
        answers.add(500);
        http.createModel("retried-" + UUID.randomUUID());
        Received first = next(), second = next(), third = next();
        assertThat(List.of(first, second, third)).extracting(r -> r.headers().get(WebhookDispatcher.DELIVERY_ID_HEADER))
                .containsOnly(first.headers().get(WebhookDispatcher.DELIVERY_ID_HEADER));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("the third attempt succeeded").isNull();

        JsonNode delivered = deliveries(hook).get(0);
        assertThat(delivered.path("delivery_id").asText()).isEqualTo(first.headers().get(WebhookDispatcher.DELIVERY_ID_HEADER));
        assertThat(delivered.path("status").asText()).isEqualTo("DELIVERED");
        assertThat(delivered.path("attempts").asInt()).isEqualTo(3);
        assertThat(delivered.path("last_status").asInt()).isEqualTo(200);
        assertThat(delivered.path("event").asText()).isEqualTo("registered_model.created");

        answers.add(400);
        http.createModel("refused-" + UUID.randomUUID());
        next();
        assertThat(received.poll(500, TimeUnit.MILLISECONDS)).as("a 400 is not retried").isNull();
        JsonNode refused = deliveries(hook).get(0);
        assertThat(refused.path("status").asText()).isEqualTo("FAILED");
        assertThat(refused.path("attempts").asInt()).isEqualTo(1);
        assertThat(refused.path("last_status").asInt()).isEqualTo(400);

        // sent again on request, with the same id
        JsonNode queued = http.ok(http.post(MLV + "webhooks/deliveries/redeliver",
                obj("delivery_id", refused.path("delivery_id").asText()))).path("delivery");
        assertThat(queued.path("status").asText()).isEqualTo("PENDING");
        assertThat(next().headers().get(WebhookDispatcher.DELIVERY_ID_HEADER)).isEqualTo(refused.path("delivery_id").asText());
        assertThat(http.post(MLV + "webhooks/deliveries/redeliver", obj("delivery_id", "nope")).status()).isEqualTo(404);
        http.ok(http.delete(MLFLOW + "webhooks/" + hook, null));
    }

    static List<JsonNode> deliveries(String hook) {
        List<JsonNode> out = new ArrayList<>();
        http.ok(http.get(MLV + "webhooks/deliveries", Map.of("webhook_id", hook))).path("deliveries").forEach(out::add);
        return out;
    }

    @Test
    void aQueuedDeliveryOutlivesTheServerThatQueuedIt(@TempDir Path other) throws Exception {
        WebhookSettings slowRetry = new WebhookSettings(Set.of("http"), true, Duration.ofSeconds(5), 3,
                Duration.ofSeconds(3), 1, null);
        String hook;
        String id;
        try (MlvServer first = MlvServer.start(ServerConfig.forHome(other).withPort(0).withWebhooks(slowRetry))) {
            RegistryHttp h = new RegistryHttp(first);
            hook = h.ok(h.post(MLFLOW + "webhooks", obj("name", "outbox", "url", hookUrl(),
                    "events", events("registered_model.created")))).at("/webhook/webhook_id").asText();
            answers.add(503);
            h.createModel("survivor");
            id = next().headers().get(WebhookDispatcher.DELIVERY_ID_HEADER);
        } // stopped while the delivery waits 3 s for its second attempt
        assertThat(received.poll(4, TimeUnit.SECONDS)).as("nobody sends while no server runs").isNull();
        try (MlvServer second = MlvServer.start(ServerConfig.forHome(other).withPort(0).withWebhooks(slowRetry))) {
            Received again = next();
            assertThat(again.headers().get(WebhookDispatcher.DELIVERY_ID_HEADER)).isEqualTo(id);
            assertThat(again.json().path("data").path("name").asText()).isEqualTo("survivor");
            RegistryHttp h = new RegistryHttp(second);
            JsonNode d = h.ok(h.get(MLV + "webhooks/deliveries", Map.of("webhook_id", hook))).path("deliveries").get(0);
            for (int i = 0; i < 50 && !d.path("status").asText().equals("DELIVERED"); i++) {
                Thread.sleep(100);
                d = h.ok(h.get(MLV + "webhooks/deliveries", Map.of("webhook_id", hook))).path("deliveries").get(0);
            }
            assertThat(d.path("status").asText()).isEqualTo("DELIVERED");
            assertThat(d.path("attempts").asInt()).isEqualTo(2);
        }
    }

    @Test
    void webhooksAreManagedThroughMlflowsApiAndTheSecretIsNeverShown() throws Exception {
        String name = "crud-" + UUID.randomUUID();
        JsonNode created = http.ok(http.post(MLFLOW + "webhooks", obj("name", name, "description", "CI", "url", hookUrl(),
                "events", List.of(Map.of("entity", 2, "action", 1), "model_version_alias.created"), "secret", SECRET)))
                .path("webhook");
        String id = created.path("webhook_id").asText();
        assertThat(created.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(created.path("events").toString())
                .isEqualTo("[{\"entity\":\"MODEL_VERSION\",\"action\":\"CREATED\"},{\"entity\":\"MODEL_VERSION_ALIAS\",\"action\":\"CREATED\"}]");
        assertThat(created.has("secret")).isFalse();
        assertThat(created.path("creation_timestamp").asLong()).isPositive();

        JsonNode got = http.ok(http.get("/ajax-api/2.0/mlflow/webhooks/" + id, Map.of())).path("webhook");
        assertThat(got).isEqualTo(created);
        JsonNode updated = http.ok(http.patch(MLFLOW + "webhooks/" + id, obj("name", name + "-2",
                "events", List.of(Map.of("entity", "REGISTERED_MODEL", "action", "CREATED")), "status", "DISABLED"))).path("webhook");
        assertThat(updated.path("name").asText()).isEqualTo(name + "-2");
        assertThat(updated.path("description").asText()).isEqualTo("CI");
        assertThat(updated.path("status").asText()).isEqualTo("DISABLED");
        assertThat(updated.toString()).doesNotContain(SECRET);

        JsonNode page = http.ok(http.get(MLFLOW + "webhooks", Map.of("max_results", "1000")));
        assertThat(page.path("webhooks").findValuesAsText("webhook_id")).contains(id);
        assertThat(page.toString()).doesNotContain(SECRET);
        assertThat(http.get(MLFLOW + "webhooks", Map.of("max_results", "1001")).errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");

        // the test call sends an example of the event now and answers what the receiver said
        JsonNode result = http.ok(http.post(MLFLOW + "webhooks/" + id + "/test",
                obj("event", Map.of("entity", "MODEL_VERSION_ALIAS", "action", "CREATED")))).path("result");
        assertThat(result.path("success").asBoolean()).isTrue();
        assertThat(result.path("response_status").asInt()).isEqualTo(200);
        assertThat(result.path("response_body").asText()).isEqualTo("answered 200");
        Received example = next();
        assertThat(example.json().path("data").path("alias").asText()).isEqualTo("example_alias");
        answers.add(404);
        answers.add(404);
        answers.add(404);
        JsonNode failed = http.ok(http.post(MLFLOW + "webhooks/" + id + "/test", obj())).path("result");
        assertThat(failed.path("success").asBoolean()).isFalse();
        assertThat(failed.path("response_status").asInt()).isEqualTo(404);
        assertThat(next().json().path("entity").asText()).isEqualTo("registered_model");

        http.ok(http.delete(MLFLOW + "webhooks/" + id, null));
        assertThat(http.get(MLFLOW + "webhooks/" + id, Map.of()).status()).isEqualTo(404);
        assertThat(http.get(MLFLOW + "webhooks/" + id, Map.of()).errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        assertThat(http.delete(MLFLOW + "webhooks/" + id, null).status()).isEqualTo(404);

        // changes are in the registry's audit chain, which stays valid
        JsonNode audit = http.ok(http.get(MLV + "audit/events", Map.of("max_results", "1000")));
        assertThat(audit.toString()).contains("webhook.create", "webhook.update", "webhook.delete").doesNotContain(SECRET);
        assertThat(http.ok(http.get(MLV + "audit/verify", Map.of())).path("valid").asBoolean()).isTrue();
    }

    @Test
    void badWebhooksAreRefusedWith400AndNothingIsSaved() {
        int before = http.ok(http.get(MLFLOW + "webhooks", Map.of("max_results", "1000"))).path("webhooks").size();
        List<JsonNode> bad = List.of(
                obj("url", hookUrl(), "events", events("model_version.created")),
                obj("name", "x", "events", events("model_version.created")),
                obj("name", "x", "url", hookUrl()),
                obj("name", "x", "url", hookUrl(), "events", List.of()),
                obj("name", "x", "url", hookUrl(), "events", List.of(Map.of("entity", "PROMPT", "action", "CREATED"))),
                obj("name", "x", "url", hookUrl(), "events", List.of(Map.of("entity", "MODEL_VERSION", "action", "DELETED"))),
                obj("name", "x", "url", hookUrl(), "events", List.of("model_version")),
                obj("name", "x", "url", hookUrl(), "events", events("model_version.created"), "status", "PAUSED"),
                obj("name", "x", "url", "file:///etc/passwd", "events", events("model_version.created")),
                obj("name", "x", "url", "gopher://127.0.0.1/", "events", events("model_version.created")),
                obj("name", "x", "url", "http://user:pw@127.0.0.1/hook", "events", events("model_version.created")),
                obj("name", "x", "url", "not a url", "events", events("model_version.created")),
                obj("name", "x", "url", hookUrl(), "events", events("model_version.created"), "secret", "s".repeat(1001)));
        for (JsonNode body : bad) {
            RegistryHttp.Reply r = http.post(MLFLOW + "webhooks", body);
            assertThat(r.status()).as(body.toString()).isEqualTo(400);
            assertThat(r.errorCode()).as(body.toString()).isEqualTo("INVALID_PARAMETER_VALUE");
        }
        assertThat(http.ok(http.get(MLFLOW + "webhooks", Map.of("max_results", "1000"))).path("webhooks").size()).isEqualTo(before);
    }

    @Test
    void aReceiverThatTricklesItsAnswerIsCutOffAtTheTimeout(@TempDir Path other) throws Exception {
        receiver.createContext("/trickle", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, 0); // chunked: the body never ends on its own
            try {
                for (int i = 0; i < 40; i++) {
                    ex.getResponseBody().write('.');
                    ex.getResponseBody().flush();
                    Thread.sleep(200);
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            } finally {
                ex.close();
            }
        });
        WebhookSettings oneSecond = new WebhookSettings(Set.of("http"), true, Duration.ofSeconds(1), 0, Duration.ZERO, 1, null);
        try (MlvServer strict = MlvServer.start(ServerConfig.forHome(other).withPort(0).withWebhooks(oneSecond))) {
            RegistryHttp h = new RegistryHttp(strict);
            String id = h.ok(h.post(MLFLOW + "webhooks", obj("name", "slow", "url", hookUrl().replace("/hook", "/trickle"),
                    "events", events("model_version.created")))).at("/webhook/webhook_id").asText();
            long start = System.nanoTime();
            JsonNode result = h.ok(h.post(MLFLOW + "webhooks/" + id + "/test", obj())).path("result");
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(result.path("success").asBoolean()).isFalse();
            assertThat(result.path("error_message").asText()).contains("no answer within 1 s");
            assertThat(seconds).as("cut off after the 1 s timeout, not after the 8 s the receiver takes").isLessThan(5);
        } finally {
            receiver.removeContext("/trickle");
        }
    }

    @Test
    void withTheDefaultSettingsOnlyHttpsToPublicAddressesIsAccepted(@TempDir Path other) {
        WebhookSettings defaults = WebhookSettings.fromEnvironment(n -> null);
        assertThat(defaults.allowedSchemes()).containsExactly("https");
        assertThat(defaults.allowPrivateIps()).isFalse();
        try (MlvServer strict = MlvServer.start(ServerConfig.forHome(other).withPort(0).withWebhooks(defaults))) {
            RegistryHttp h = new RegistryHttp(strict);
            for (String url : List.of(hookUrl(), "https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]/hook",
                    "https://169.254.169.254/latest/meta-data/", "https://10.0.0.8/", "https://192.168.1.1/",
                    "https://[fd00::1]/", "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "https://100.64.0.1/")) {
                RegistryHttp.Reply r = h.post(MLFLOW + "webhooks", obj("name", "x", "url", url, "events", events("model_version.created")));
                assertThat(r.status()).as(url).isEqualTo(400);
                assertThat(r.body().path("message").asText()).as(url).containsAnyOf("scheme", "not a public address");
            }
            assertThat(h.ok(h.get(MLFLOW + "webhooks", Map.of())).path("webhooks").size()).isZero();
        }
    }
}
