package dev.mlv.server.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.mlv.server.tracking.TrackingRestTest.error;
import static dev.mlv.server.tracking.TrackingRestTest.ok;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * MLflow 3's logged-model API over raw HTTP, in the order an MLflow 3 client's {@code log_model} calls it (create,
 * runs/outputs, metrics with model_id, upload through the artifact proxy, finalize), then registration from
 * {@code models:/<model_id>}, search, and the errors.
 */
class LoggedModelRestTest {
    private static final String API = "/api/2.0/mlflow/";

    @TempDir
    static Path home;
    static MlvServer server;
    static HttpClient http;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).method(method, p);
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> api(String method, String path, String body) throws Exception {
        return send(method, API + path, body);
    }

    @Test
    void anMlflow3LogModelRegisterAndLoadCycle() throws Exception {
        String exp = ok(api("POST", "experiments/create", "{\"name\":\"lm-cycle\"}")).get("experiment_id").asText();
        String run = ok(api("POST", "runs/create", "{\"experiment_id\":\"" + exp + "\"}")).at("/run/info/run_id").asText();

        JsonNode model = ok(api("POST", "logged-models", "{\"experiment_id\":\"" + exp + "\",\"name\":\"model\","
                + "\"source_run_id\":\"" + run + "\",\"model_type\":\"classifier\",\"params\":[{\"key\":\"lr\",\"value\":\"0.1\"}],"
                + "\"tags\":[{\"key\":\"mlflow.user\",\"value\":\"ana\"}]}")).get("model");
        String id = model.at("/info/model_id").asText();
        assertThat(id).matches("m-[0-9a-f]{32}");
        assertThat(model.at("/info/status").asText()).isEqualTo("LOGGED_MODEL_PENDING");
        assertThat(model.at("/info/artifact_uri").asText()).isEqualTo("mlflow-artifacts:/" + exp + "/models/" + id + "/artifacts");
        assertThat(model.at("/info/source_run_id").asText()).isEqualTo(run);
        assertThat(model.at("/info/creation_timestamp_ms").isIntegralNumber()).isTrue();
        assertThat(model.at("/info/tags/0/key").asText()).isEqualTo("mlflow.user");
        assertThat(model.at("/data/params/0/value").asText()).isEqualTo("0.1");

        ok(api("POST", "runs/outputs", "{\"run_id\":\"" + run + "\",\"models\":[{\"model_id\":\"" + id + "\",\"step\":0}]}"));
        ok(api("POST", "runs/log-batch", "{\"run_id\":\"" + run + "\",\"metrics\":[{\"key\":\"acc\",\"value\":0.93,"
                + "\"timestamp\":1700000000000,\"step\":0,\"model_id\":\"" + id + "\",\"dataset_name\":\"iris\",\"dataset_digest\":\"abc\"}]}"));
        ok(api("POST", "runs/log-metric", "{\"run_id\":\"" + run + "\",\"key\":\"f1\",\"value\":0.9,\"timestamp\":1700000000001,\"model_id\":\"" + id + "\"}"));
        JsonNode runJson = ok(api("GET", "runs/get?run_id=" + run, null)).get("run");
        assertThat(runJson.at("/outputs/model_outputs/0/model_id").asText()).isEqualTo(id);
        assertThat(runJson.at("/data/metrics").findValuesAsText("key")).containsExactlyInAnyOrder("acc", "f1");

        byte[] mlmodel = ("artifact_path: model\nflavors:\n  onnx:\n    data: model.onnx\nmodel_id: " + id + "\n").getBytes(StandardCharsets.UTF_8);
        String files = "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/models/" + id + "/artifacts/";
        assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + files + "MLmodel"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(mlmodel)).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + files + "data/model.onnx"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[]{1, 2, 3})).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        JsonNode listing = ok(api("GET", "logged-models/" + id + "/artifacts/directories", null));
        assertThat(listing.get("root_uri").asText()).isEqualTo(model.at("/info/artifact_uri").asText());
        assertThat(listing.get("files").findValuesAsText("path")).containsExactlyInAnyOrder("MLmodel", "data");
        assertThat(ok(api("GET", "logged-models/" + id + "/artifacts/directories?artifact_directory_path=data", null))
                .at("/files/0/path").asText()).isEqualTo("data/model.onnx");

        JsonNode ready = ok(api("PATCH", "logged-models/" + id, "{\"model_id\":\"" + id + "\",\"status\":\"LOGGED_MODEL_READY\"}")).get("model");
        assertThat(ready.at("/info/status").asText()).isEqualTo("LOGGED_MODEL_READY");
        JsonNode got = ok(api("GET", "logged-models/" + id, null)).get("model");
        assertThat(got.at("/data/metrics").findValuesAsText("key")).containsExactlyInAnyOrder("acc", "f1");
        JsonNode acc = got.at("/data/metrics").findParents("key").stream().filter(m -> m.get("key").asText().equals("acc")).findFirst().orElseThrow();
        assertThat(acc.get("model_id").asText()).isEqualTo(id);
        assertThat(acc.get("run_id").asText()).isEqualTo(run);
        assertThat(acc.get("dataset_name").asText()).isEqualTo("iris");

        // register models:/<model_id>: the version points at the model's files and takes its source run
        ok(api("POST", "registered-models/create", "{\"name\":\"lm-cycle\"}"));
        JsonNode mv = ok(api("POST", "model-versions/create", "{\"name\":\"lm-cycle\",\"source\":\"models:/" + id + "\",\"model_id\":\"" + id + "\"}"))
                .get("model_version");
        assertThat(mv.get("source").asText()).isEqualTo("models:/" + id);
        assertThat(mv.get("run_id").asText()).isEqualTo(run);
        assertThat(mv.get("model_id").asText()).isEqualTo(id);
        assertThat(ok(api("GET", "model-versions/get-download-uri?name=lm-cycle&version=1", null)).get("artifact_uri").asText())
                .isEqualTo("mlflow-artifacts:/" + exp + "/models/" + id + "/artifacts");

        // runs:/<run>/<name> of a run whose model went to a logged model (MLflow 3) registers that model
        JsonNode byRun = ok(api("POST", "model-versions/create", "{\"name\":\"lm-cycle\",\"source\":\"runs:/" + run + "/model\"}"))
                .get("model_version");
        assertThat(ok(api("GET", "model-versions/get-download-uri?name=lm-cycle&version=" + byRun.get("version").asText(), null))
                .get("artifact_uri").asText()).isEqualTo("mlflow-artifacts:/" + exp + "/models/" + id + "/artifacts");

        // tags, params, search, delete
        ok(api("PATCH", "logged-models/" + id + "/tags", "{\"tags\":[{\"key\":\"mlflow.modelVersions\",\"value\":\"[{\\\"name\\\": \\\"lm-cycle\\\", \\\"version\\\": \\\"1\\\"}]\"}]}"));
        ok(api("POST", "logged-models/" + id + "/params", "{\"model_id\":\"" + id + "\",\"params\":[{\"key\":\"epochs\",\"value\":\"5\"}]}"));
        ok(api("DELETE", "logged-models/" + id + "/tags/mlflow.user", null));
        JsonNode after = ok(api("GET", "logged-models/" + id, null)).get("model");
        assertThat(after.at("/info/tags").findValuesAsText("key")).containsExactly("mlflow.modelVersions");
        assertThat(after.at("/data/params").findValuesAsText("key")).containsExactly("epochs", "lr");

        String other = ok(api("POST", "logged-models", "{\"experiment_id\":\"" + exp + "\"}")).at("/model/info/model_id").asText();
        JsonNode found = ok(api("POST", "logged-models/search", "{\"experiment_ids\":[\"" + exp + "\"],"
                + "\"filter\":\"metrics.acc > 0.9 AND status = 'LOGGED_MODEL_READY'\",\"datasets\":[{\"dataset_name\":\"iris\"}]}"));
        assertThat(found.get("models").findValues("info").stream().map(i -> i.get("model_id").asText()).toList()).containsExactly(id);
        JsonNode all = ok(api("POST", "logged-models/search", "{\"experiment_ids\":[\"" + exp + "\"],"
                + "\"order_by\":[{\"field_name\":\"creation_time\",\"ascending\":true}],\"max_results\":1}"));
        assertThat(all.get("models").findValues("info").stream().map(i -> i.get("model_id").asText()).toList()).containsExactly(id);
        JsonNode next = ok(api("POST", "logged-models/search", "{\"experiment_ids\":[\"" + exp + "\"],"
                + "\"order_by\":[{\"field_name\":\"creation_time\",\"ascending\":true}],\"max_results\":1,\"page_token\":\"" + all.get("next_page_token").asText() + "\"}"));
        assertThat(next.get("models").findValues("info").stream().map(i -> i.get("model_id").asText()).toList()).containsExactly(other);
        assertThat(next.has("next_page_token")).isFalse();

        JsonNode batch = ok(api("GET", "logged-models:batchGet?model_ids=" + other + "&model_ids=m-0000&model_ids=" + id, null));
        assertThat(batch.get("models").findValues("info").stream().map(i -> i.get("model_id").asText()).toList())
                .containsExactly(other, id);
        ok(api("DELETE", "logged-models/" + other, null));
        error(api("GET", "logged-models/" + other, null), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(ok(api("GET", "logged-models:batchGet?model_ids=" + other, null)).has("models")).isFalse();
        error(api("GET", "logged-models:batchGet?" + "model_ids=m-1&".repeat(101), null), 400, "INVALID_PARAMETER_VALUE");
        assertThat(ok(api("GET", "logged-models/" + other + "?allow_deleted=true", null)).at("/model/info/model_id").asText()).isEqualTo(other);
        // the ajax prefix serves the same routes
        assertThat(ok(send("GET", "/ajax-api/2.0/mlflow/logged-models/" + id, null)).at("/model/info/name").asText()).isEqualTo("model");
    }

    @Test
    void errorsAreMlflowsAndChangeNothing() throws Exception {
        String exp = ok(api("POST", "experiments/create", "{\"name\":\"lm-errors\"}")).get("experiment_id").asText();
        String id = ok(api("POST", "logged-models", "{\"experiment_id\":\"" + exp + "\",\"name\":\"m\"}")).at("/model/info/model_id").asText();

        assertThat(error(api("GET", "logged-models/m-0123", null), 404, "RESOURCE_DOES_NOT_EXIST").get("message").asText())
                .isEqualTo("Logged model with ID 'm-0123' not found.");
        error(api("POST", "logged-models", "{\"name\":\"m\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("POST", "logged-models", "{\"experiment_id\":\"424242\"}"), 404, "RESOURCE_DOES_NOT_EXIST");
        error(api("POST", "logged-models", "{\"experiment_id\":\"" + exp + "\",\"name\":\"a/b\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("PATCH", "logged-models/" + id, "{\"model_id\":\"" + id + "\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("PATCH", "logged-models/" + id, "{\"model_id\":\"" + id + "\",\"status\":\"FOO\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("DELETE", "logged-models/" + id + "/tags/none", null), 404, "RESOURCE_DOES_NOT_EXIST");
        error(api("POST", "logged-models/search", "{\"filter\":\"name = 'm'\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("POST", "logged-models/search", "{\"experiment_ids\":[\"" + exp + "\"],\"filter\":\"nope = 'm'\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("POST", "logged-models/search", "{\"experiment_ids\":[\"" + exp + "\"],\"order_by\":[{\"field_name\":\"tags.x\"}]}"), 400, "INVALID_PARAMETER_VALUE");
        error(api("POST", "runs/outputs", "{\"run_id\":\"0123456789abcdef0123456789abcdef\",\"models\":[]}"), 404, "RESOURCE_DOES_NOT_EXIST");
        for (String bad : new String[]{"..", "../../etc", "%2e%2e/x", "a/../../b", "/etc", "a\\\\b"}) {
            error(api("GET", "logged-models/" + id + "/artifacts/directories?artifact_directory_path="
                    + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8), null), 400, "INVALID_PARAMETER_VALUE");
        }
        ok(api("POST", "registered-models/create", "{\"name\":\"lm-errors\"}"));
        assertThat(error(api("POST", "model-versions/create", "{\"name\":\"lm-errors\",\"source\":\"models:/lm-errors\"}"),
                404, "RESOURCE_DOES_NOT_EXIST").get("message").asText())
                .as("a registered model's name without a version reads as a logged model id: say so")
                .contains("models:/lm-errors/<version|stage|latest>");
        JsonNode still = ok(api("GET", "logged-models/" + id, null)).get("model");
        assertThat(still.at("/info/status").asText()).isEqualTo("LOGGED_MODEL_PENDING");
        assertThat(still.at("/info/name").asText()).isEqualTo("m");
    }
}
