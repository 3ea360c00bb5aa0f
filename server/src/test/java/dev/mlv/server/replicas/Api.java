package dev.mlv.server.replicas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** A tiny MLflow REST client for the replica tests: JSON in, status and JSON out, no retries. */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    record Reply(int status, JsonNode body) {
        String errorCode() {
            return body.path("error_code").asText(null);
        }

        Reply ok() {
            if (status != 200) throw new AssertionError("HTTP " + status + ": " + body);
            return this;
        }
    }

    private Api() {
    }

    static Reply post(String base, String path, Object body) {
        return post(base, path, body, "alice");
    }

    static Reply post(String base, String path, Object body, String user) {
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/" + path))
                    .timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("X-Mlv-User", user)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            return send(req);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Reply get(String base, String path, Map<String, String> query) {
        String q = query.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/" + path + (q.isEmpty() ? "" : "?" + q)))
                .timeout(Duration.ofSeconds(60)).GET().build();
        return send(req);
    }

    /** {@code PUT} of a streamed body to the artifact proxy. */
    static Reply putArtifact(String base, String path, Supplier<InputStream> body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + path))
                .timeout(Duration.ofMinutes(5))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(body)).build();
        return send(req);
    }

    /** {@code PUT} of an artifact whose length is declared up front ({@code Content-Length}, not chunked). */
    static Reply putArtifact(String base, String path, Supplier<InputStream> body, long length) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + path))
                .timeout(Duration.ofMinutes(5))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length)).build();
        return send(req);
    }

    /** {@code GET} of an artifact as a stream (status 200) or an error reply. */
    static HttpResponse<InputStream> getArtifact(String base, String path) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/2.0/mlflow-artifacts/artifacts/" + path))
                .timeout(Duration.ofMinutes(5)).GET().build();
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Reply send(HttpRequest req) {
        try {
            HttpResponse<byte[]> res = HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = res.body().length == 0 ? MissingNode.getInstance() : parse(res.body());
            return new Reply(res.statusCode(), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(body, StandardCharsets.UTF_8));
        }
    }
}
