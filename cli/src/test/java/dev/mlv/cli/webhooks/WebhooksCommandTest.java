package dev.mlv.cli.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.mlv.cli.Main;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.webhooks.WebhookDispatcher;
import dev.mlv.server.webhooks.WebhookSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv webhooks …} against an in-process server that may deliver to loopback, and a receiver there. */
class WebhooksCommandTest {
    @TempDir
    static Path home;
    static MlvServer server;
    static HttpServer receiver;
    static final BlockingQueue<String[]> received = new LinkedBlockingQueue<>(); // {signature, body}

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new String[] {ex.getRequestHeaders().getFirst(WebhookDispatcher.SIGNATURE_HEADER), body,
                    ex.getRequestHeaders().getFirst(WebhookDispatcher.DELIVERY_ID_HEADER),
                    ex.getRequestHeaders().getFirst(WebhookDispatcher.TIMESTAMP_HEADER)});
            int status = ex.getRequestURI().getPath().equals("/broken") ? 500 : 200;
            byte[] answer = ("status " + status).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        receiver.start();
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withWebhooks(new WebhookSettings(Set.of("http"),
                true, Duration.ofSeconds(5), 0, Duration.ZERO, 2, null)));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
        if (receiver != null) receiver.stop(0);
    }

    static Result mlv(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            List<String> all = new ArrayList<>(List.of(args));
            all.add("--tracking-uri");
            all.add(server.url());
            CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter(), err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return new Result(cl.execute(all.toArray(String[]::new)), out.toString(), err.toString());
        } finally {
            System.setIn(before);
        }
    }

    static String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    @Test
    void createListTestUpdateAndDeleteAWebhook() throws Exception {
        Result created = mlv("my-secret\n", "webhooks", "create", "deploy", url("/ok"), "--event",
                "model_version_alias.created,model_version.created", "-e", "registered_model.created", "-d", "CD",
                "--secret-stdin", "--json");
        assertThat(created.code()).as(created.err()).isZero();
        JsonNode w = RestClient.json().readTree(created.out()).path("webhook");
        String id = w.path("webhook_id").asText();
        assertThat(w.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(created.out()).doesNotContain("my-secret");

        Result list = mlv("", "webhooks", "list");
        assertThat(list.out()).contains("ID", "EVENTS", id, "deploy",
                "model_version_alias.created,model_version.created,registered_model.created", url("/ok"));

        Result tested = mlv("", "webhooks", "test", id, "--event", "model_version.created");
        assertThat(tested.code()).as(tested.err()).isZero();
        assertThat(tested.out()).startsWith("Delivered: HTTP 200 status 200");
        String[] delivery = received.poll(10, TimeUnit.SECONDS);
        assertThat(delivery).isNotNull();
        assertThat(delivery[1]).contains("\"entity\":\"model_version\"", "\"action\":\"created\"");
        assertThat(delivery[0]).isEqualTo(WebhookDispatcher.signature("my-secret", delivery[2], delivery[3],
                delivery[1].getBytes(StandardCharsets.UTF_8)));

        // a registry change reaches it through the outbox, and shows in its deliveries
        var rest = new RestClient(server.url());
        rest.post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "cli-hooked"));
        String[] event = received.poll(10, TimeUnit.SECONDS);
        assertThat(event).isNotNull();
        assertThat(event[1]).contains("\"entity\":\"registered_model\"");
        Result sent = mlv("", "webhooks", "deliveries", id);
        for (int i = 0; i < 50 && !sent.out().contains("DELIVERED"); i++) {
            Thread.sleep(100);
            sent = mlv("", "webhooks", "deliveries", id);
        }
        assertThat(sent.out()).contains("EVENT", "registered_model.created", "DELIVERED", "HTTP 200", event[2]);
        Result again = mlv("", "webhooks", "redeliver", event[2]);
        assertThat(again.out()).startsWith("Queued again: registered_model.created for webhook " + id);
        assertThat(received.poll(10, TimeUnit.SECONDS)[2]).isEqualTo(event[2]);

        Result updated = mlv("", "webhooks", "update", id, "--url", url("/broken"), "--disable", "--no-secret");
        assertThat(updated.code()).as(updated.err()).isZero();
        assertThat(updated.out()).startsWith("Updated webhook " + id + " (deploy): DISABLED").contains(url("/broken"));
        Result failing = mlv("", "webhooks", "test", id);
        assertThat(failing.code()).isEqualTo(1);
        assertThat(failing.out()).startsWith("Failed: HTTP 500");
        assertThat(received.poll(10, TimeUnit.SECONDS)[0]).as("no secret, no signature").isNull();

        assertThat(mlv("", "webhooks", "update", id).code()).isEqualTo(2);
        assertThat(mlv("", "webhooks", "delete", id).out()).isEqualTo("Deleted webhook " + id + System.lineSeparator());
        Result gone = mlv("", "webhooks", "delete", id);
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("not found");
        assertThat(mlv("", "webhooks", "list").out()).contains("No webhooks");
    }

    @Test
    void badInputIsOneLineWithAHint() {
        Result badEvent = mlv("", "webhooks", "create", "x", url("/ok"), "--event", "model_version.promoted");
        assertThat(badEvent.code()).isEqualTo(2);
        assertThat(badEvent.err().strip().lines()).hasSizeLessThanOrEqualTo(2);
        assertThat(badEvent.err()).contains("model_version_alias.created");
        Result noEvent = mlv("", "webhooks", "create", "x", url("/ok"));
        assertThat(noEvent.code()).isEqualTo(2);
        assertThat(noEvent.err()).contains("--event");
        Result unsupportedScheme = mlv("", "webhooks", "create", "x", "ftp://example.com/", "--event", "model_version.created");
        assertThat(unsupportedScheme.code()).isEqualTo(2);
        assertThat(unsupportedScheme.err()).contains("expected an absolute http or https URL");
    }
}
