package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.server.MlvServer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/** A small JSON-over-HTTP client for the registry tests. */
public final class RegistryHttp {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final String MLFLOW = "/api/2.0/mlflow/";
    public static final String MLV = "/api/2.0/mlv/";

    private final MlvServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The Authorization header sent with every request, or null. */
    private final String authorization;

    public RegistryHttp(MlvServer server) {
        this(server, null);
    }

    /** A client that authenticates as {@code user} with HTTP Basic credentials. */
    public RegistryHttp(MlvServer server, String user, String password) {
        this(server, "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }

    private RegistryHttp(MlvServer server, String authorization) {
        this.server = server;
        this.authorization = authorization;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path));
        if (authorization != null) b.header("Authorization", authorization);
        return b;
    }

    public record Reply(int status, JsonNode body) {
        public String errorCode() {
            return body.path("error_code").asText(null);
        }
    }

    public static ObjectNode obj(Object... kv) {
        ObjectNode o = JSON.createObjectNode();
        for (int i = 0; i < kv.length; i += 2) o.set((String) kv[i], JSON.valueToTree(kv[i + 1]));
        return o;
    }

    public Reply post(String path, JsonNode body, String user) {
        return send("POST", path, body, user);
    }

    public Reply post(String path, JsonNode body) {
        return send("POST", path, body, null);
    }

    public Reply patch(String path, JsonNode body) {
        return send("PATCH", path, body, null);
    }

    public Reply delete(String path, JsonNode body) {
        return send("DELETE", path, body, null);
    }

    public Reply get(String path, Map<String, String> query) {
        StringJoiner q = new StringJoiner("&");
        query.forEach((k, v) -> q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send("GET", path + (query.isEmpty() ? "" : "?" + q), null, null);
    }

    /** A call that must succeed (200); returns the body. */
    public JsonNode ok(Reply r) {
        if (r.status() != 200) throw new AssertionError("expected 200, got " + r.status() + ": " + r.body());
        return r.body();
    }

    public Reply send(String method, String path, JsonNode body, String user) {
        try {
            HttpRequest.Builder b = request(path);
            if (user != null) b.header("X-Mlv-User", user);
            if (body != null) {
                b.header("Content-Type", "application/json");
                b.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode n = resp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(resp.body());
            return new Reply(resp.statusCode(), n);
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    public byte[] download(String path) {
        try {
            HttpResponse<byte[]> resp = http.send(request(path).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (resp.statusCode() != 200) throw new AssertionError("GET " + path + " → " + resp.statusCode());
            return resp.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public void upload(String storePath, byte[] content) {
        try {
            HttpResponse<String> resp = http.send(request("/api/2.0/mlflow-artifacts/artifacts/" + storePath)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(), HttpResponse.BodyHandlers.ofString());
            if (resp.statusCode() != 200) throw new AssertionError("upload " + storePath + " → " + resp.statusCode() + " " + resp.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    // ---- tracking and registry shortcuts

    /** Creates a run in the Default experiment, logs {@code metrics}, returns its id. */
    public String run(Map<String, Double> metrics) {
        String runId = ok(post(MLFLOW + "runs/create", obj("experiment_id", "0"))).at("/run/info/run_id").asText();
        metrics.forEach((k, v) -> ok(post(MLFLOW + "runs/log-metric", obj("run_id", runId, "key", k, "value", v,
                "timestamp", 1L, "step", 0L))));
        return runId;
    }

    public String artifactUri(String runId) {
        return ok(get(MLFLOW + "runs/get", Map.of("run_id", runId))).at("/run/info/artifact_uri").asText();
    }

    public void createModel(String name) {
        ok(post(MLFLOW + "registered-models/create", obj("name", name)));
    }

    /** Creates a version of {@code name} from the files of a fresh run; returns the version. */
    public String version(String name, String runId) {
        return ok(post(MLFLOW + "model-versions/create", obj("name", name, "source", "runs:/" + runId + "/model",
                "run_id", runId))).at("/model_version/version").asText();
    }

    public String stageHolder(String name, String stage) {
        JsonNode vs = ok(get(MLFLOW + "registered-models/get-latest-versions", Map.of("name", name, "stages", stage)))
                .path("model_versions");
        return vs.isEmpty() ? null : vs.get(0).path("version").asText();
    }
}
