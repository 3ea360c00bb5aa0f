package dev.mlv.client.http;

import com.sun.net.httpserver.HttpServer;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A 429 (the request was refused before anything was done) is sent again after the wait the server asks for. */
class RestClientRetryTest {
    HttpServer server;
    final AtomicInteger calls = new AtomicInteger();
    volatile int refusals;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            boolean refuse = calls.incrementAndGet() <= refusals;
            byte[] body = (refuse ? "{\"error_code\":\"REQUEST_LIMIT_EXCEEDED\",\"message\":\"busy\"}" : "{\"ok\":true}")
                    .getBytes(StandardCharsets.UTF_8);
            if (refuse) ex.getResponseHeaders().add("Retry-After", "0");
            ex.sendResponseHeaders(refuse ? 429 : 200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RestClient client() {
        return new RestClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void refusedRequestsAreSentAgain() throws Exception {
        refusals = 2;
        assertThat(client().post("/api/2.0/mlflow/runs/create", RestClient.object()).path("ok").asBoolean()).isTrue();
        assertThat(calls.get()).isEqualTo(3);
        calls.set(0);
        try (InputStream in = client().openStream("/file")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("ok");
        }
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void aServerThatKeepsRefusingIsReportedAfterTheLastRetry() {
        refusals = Integer.MAX_VALUE;
        assertThatThrownBy(() -> client().get("/api/2.0/mlflow/experiments/search", Map.of()))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_LIMIT_EXCEEDED))
                .hasMessage("busy");
        assertThat(calls.get()).isEqualTo(1 + RestClient.MAX_RETRIES_ON_429);
    }
}
