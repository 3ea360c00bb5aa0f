package dev.mlv.server.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.server.MlvServer;
import dev.mlv.server.RawHttp;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracking REST API over raw HTTP: MLflow's JSON shapes, proto-JSON input conventions, error bodies and statuses,
 * the JSON-only rule for POST, GET variants, the ajax prefix, and paging of metric history.
 */
class TrackingRestTest {
    private static final String API = "/api/2.0/mlflow/";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;
    static MlvServer server;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(health.statusCode()).isEqualTo(200);
        System.out.println("mlv server: MlvServer.start on a fresh home to first /health 200 took " + ms + " ms (in-process, cold JVM classes)");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) b.header("Content-Type", contentType);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String method, String body) throws Exception {
        return post(API + method, "application/json", body);
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.url() + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode ok(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        return JSON.readTree(r.body());
    }

    static JsonNode error(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error_code").asText()).isEqualTo(code);
        assertThat(body.get("message").asText()).isNotBlank();
        return body;
    }

    static String newExperiment(String name) throws Exception {
        return ok(post("experiments/create", "{\"name\":\"" + name + "\"}")).get("experiment_id").asText();
    }

    static String newRun(String experimentId) throws Exception {
        return ok(post("runs/create", "{\"experiment_id\":\"" + experimentId + "\",\"start_time\":1700000000000}")).at("/run/info/run_id").asText();
    }

    // ---- shapes

    @Test
    void responsesHaveMlflowsShape() throws Exception {
        String exp = newExperiment("shape-exp");
        JsonNode e = ok(get(API + "experiments/get?experiment_id=" + exp)).get("experiment");
        assertThat(e.get("experiment_id").asText()).isEqualTo(exp);
        assertThat(e.get("artifact_location").asText()).isEqualTo("mlflow-artifacts:/" + exp);
        assertThat(e.get("lifecycle_stage").asText()).isEqualTo("active");
        assertThat(e.get("creation_time").isIntegralNumber()).isTrue();
        assertThat(e.get("last_update_time").isIntegralNumber()).isTrue();
        assertThat(e.has("tags")).as("empty repeated fields are left out").isFalse();

        JsonNode created = ok(post("runs/create", "{\"experiment_id\":\"" + exp + "\",\"run_name\":\"r1\",\"start_time\":\"1700000000123\"}"));
        JsonNode info = created.at("/run/info");
        String runId = info.get("run_id").asText();
        assertThat(info.get("run_uuid").asText()).isEqualTo(runId);
        assertThat(info.get("status").asText()).isEqualTo("RUNNING");
        assertThat(info.get("start_time").isIntegralNumber()).as("int64 out as a JSON number").isTrue();
        assertThat(info.get("start_time").asLong()).as("int64 in as a string").isEqualTo(1_700_000_000_123L);
        assertThat(info.has("end_time")).isFalse();
        assertThat(info.get("artifact_uri").asText()).isEqualTo("mlflow-artifacts:/" + exp + "/" + runId + "/artifacts");
        assertThat(created.at("/run/data").isObject()).isTrue();
        assertThat(created.at("/run/inputs").isObject()).isTrue();

        assertThat(post("runs/log-metric", "{\"run_id\":\"" + runId + "\",\"key\":\"m\",\"value\":\"NaN\",\"timestamp\":\"5\"}").body()).isEqualTo("{}");
        assertThat(post("runs/log-metric", "{\"run_uuid\":\"" + runId + "\",\"key\":\"inf\",\"value\":Infinity,\"timestamp\":5,\"step\":\"3\"}").body()).isEqualTo("{}");
        JsonNode metrics = ok(get(API + "runs/get?run_id=" + runId)).at("/run/data/metrics");
        assertThat(metrics.toString()).contains("{\"key\":\"m\",\"value\":\"NaN\",\"timestamp\":5,\"step\":0}")
                .contains("{\"key\":\"inf\",\"value\":\"Infinity\",\"timestamp\":5,\"step\":3}");

        JsonNode updated = ok(post("runs/update", "{\"run_id\":\"" + runId + "\",\"status\":\"FINISHED\",\"end_time\":1700000009999,\"run_name\":\"r2\"}"));
        assertThat(updated.at("/run_info/status").asText()).isEqualTo("FINISHED");
        assertThat(updated.at("/run_info/end_time").asLong()).isEqualTo(1_700_000_009_999L);
        assertThat(updated.at("/run_info/run_name").asText()).isEqualTo("r2");
        assertThat(ok(post("runs/update", "{\"run_id\":\"" + runId + "\",\"status\":4}")).at("/run_info/status").asText())
                .as("enums by number").isEqualTo("FAILED");
    }

    @Test
    void logInputsRoundTrip() throws Exception {
        String runId = newRun(newExperiment("inputs-exp"));
        String body = "{\"run_id\":\"" + runId + "\",\"datasets\":[{\"tags\":[{\"key\":\"mlflow.data.context\",\"value\":\"training\"}],"
                + "\"dataset\":{\"name\":\"iris\",\"digest\":\"abc123\",\"source_type\":\"local\",\"source\":\"{\\\"uri\\\":\\\"/data/iris.csv\\\"}\","
                + "\"schema\":\"{\\\"mlflow_colspec\\\":[]}\",\"profile\":\"{\\\"num_rows\\\":150}\"}}]}";
        assertThat(ok(post("runs/log-inputs", body)).size()).isZero();
        JsonNode inputs = ok(get(API + "runs/get?run_id=" + runId)).at("/run/inputs/dataset_inputs");
        assertThat(inputs).hasSize(1);
        assertThat(inputs.at("/0/dataset/name").asText()).isEqualTo("iris");
        assertThat(inputs.at("/0/dataset/digest").asText()).isEqualTo("abc123");
        assertThat(inputs.at("/0/dataset/source_type").asText()).isEqualTo("local");
        assertThat(inputs.at("/0/dataset/profile").asText()).isEqualTo("{\"num_rows\":150}");
        assertThat(inputs.at("/0/tags/0/value").asText()).isEqualTo("training");

        JsonNode missing = error(post("runs/log-inputs", "{\"run_id\":\"" + runId + "\",\"datasets\":[{\"dataset\":{\"name\":\"x\"}}]}"),
                400, "INVALID_PARAMETER_VALUE");
        assertThat(missing.get("message").asText()).contains("datasets[0].dataset.digest");
    }

    @Test
    void logModelAppendsToTheRunsModelHistory() throws Exception {
        String runId = newRun(newExperiment("log-model-exp"));
        String mlmodel = "{\"artifact_path\":\"model\",\"run_id\":\"" + runId + "\",\"utc_time_created\":\"2026-11-26 10:00:00.000000\","
                + "\"model_uuid\":\"u1\",\"signature\":{\"inputs\":\"[]\"},"
                + "\"flavors\":{\"onnx\":{\"data\":\"model.onnx\",\"config\":{\"big\":1}},\"python_function\":{\"loader_module\":\"mlflow.onnx\"}}}";
        String body = JSON.createObjectNode().put("run_id", runId).put("model_json", mlmodel).toString();
        assertThat(ok(post("runs/log-model", body)).size()).isZero();
        String second = JSON.createObjectNode().put("run_id", runId).put("model_json", mlmodel.replace("\"model\"", "\"model2\"")).toString();
        assertThat(ok(post("runs/log-model", second)).size()).isZero();

        JsonNode tags = ok(get(API + "runs/get?run_id=" + runId)).at("/run/data/tags");
        String history = null;
        for (JsonNode t : tags) if (t.get("key").asText().equals("mlflow.log-model.history")) history = t.get("value").asText();
        JsonNode models = JSON.readTree(history);
        assertThat(models).hasSize(2);
        assertThat(models.at("/0/artifact_path").asText()).isEqualTo("model");
        assertThat(models.at("/1/artifact_path").asText()).isEqualTo("model2");
        assertThat(models.at("/0/model_uuid").asText()).isEqualTo("u1");
        assertThat(models.at("/0/flavors/onnx/data").asText()).isEqualTo("model.onnx");
        assertThat(models.at("/0/flavors/onnx").has("config")).as("flavor config is left out, as MLflow does").isFalse();
        assertThat(models.get(0).has("signature")).isFalse();

        JsonNode missing = error(post("runs/log-model", JSON.createObjectNode().put("run_id", runId)
                .put("model_json", "{\"artifact_path\":\"m\"}").toString()), 400, "INVALID_PARAMETER_VALUE");
        assertThat(missing.get("message").asText()).startsWith("Model json is missing mandatory fields: {").contains("'flavors'", "'run_id'");
        JsonNode malformed = error(post("runs/log-model", JSON.createObjectNode().put("run_id", runId)
                .put("model_json", "not json").toString()), 400, "INVALID_PARAMETER_VALUE");
        assertThat(malformed.get("message").asText()).startsWith("Malformed model info.");
        error(post("runs/log-model", "{\"run_id\":\"" + runId + "\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("runs/log-model", JSON.createObjectNode().put("run_id", "0123456789abcdef0123456789abcdef")
                .put("model_json", mlmodel).toString()), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void searchesOverGetAndPostAndTheAjaxPrefix() throws Exception {
        newExperiment("get-search-a");
        newExperiment("get-search-b");
        JsonNode viaGet = ok(get(API + "experiments/search?filter=name+LIKE+%27get-search-%25%27&order_by=name+DESC&max_results=1"));
        assertThat(viaGet.get("experiments")).hasSize(1);
        assertThat(viaGet.at("/experiments/0/name").asText()).isEqualTo("get-search-b");
        String token = viaGet.get("next_page_token").asText();
        JsonNode next = ok(get(API + "experiments/search?filter=name+LIKE+%27get-search-%25%27&order_by=name+DESC&max_results=1&page_token=" + token));
        assertThat(next.at("/experiments/0/name").asText()).isEqualTo("get-search-a");

        JsonNode viaPost = ok(post("experiments/search", "{\"filter\":\"name = 'get-search-a'\",\"max_results\":\"10\",\"view_type\":\"ALL\"}"));
        assertThat(viaPost.get("experiments")).hasSize(1);
        assertThat(viaPost.has("next_page_token")).isFalse();

        assertThat(ok(post("/ajax-api/2.0/mlflow/experiments/search", "application/json", "{\"filter\":\"name = 'get-search-a'\"}"))
                .get("experiments")).hasSize(1);
        assertThat(ok(get("/ajax-api/2.0/mlflow/experiments/get-by-name?experiment_name=get-search-b")).at("/experiment/name").asText())
                .isEqualTo("get-search-b");
        assertThat(ok(post("runs/search", "{\"experiment_ids\":[\"987654\"]}")).size()).as("nothing found: {}").isZero();
    }

    @Test
    void metricHistoryIsPaged() throws Exception {
        String runId = newRun(newExperiment("history-exp"));
        StringBuilder batch = new StringBuilder("{\"run_id\":\"" + runId + "\",\"metrics\":[");
        for (int i = 0; i < 25; i++) {
            if (i > 0) batch.append(',');
            batch.append("{\"key\":\"loss\",\"value\":").append(1.0 / (i + 1)).append(",\"timestamp\":").append(1000 + i).append(",\"step\":").append(i).append('}');
        }
        ok(post("runs/log-batch", batch.append("]}").toString()));

        List<Long> steps = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JsonNode page = ok(get(API + "metrics/get-history?run_id=" + runId + "&metric_key=loss&max_results=10"
                    + (token == null ? "" : "&page_token=" + token)));
            page.get("metrics").forEach(m -> steps.add(m.get("step").asLong()));
            token = page.has("next_page_token") ? page.get("next_page_token").asText() : null;
            pages++;
        } while (token != null && pages < 10);
        assertThat(pages).isEqualTo(3);
        assertThat(steps).hasSize(25).isSorted();
        assertThat(ok(get(API + "metrics/get-history?run_id=" + runId + "&metric_key=loss")).get("metrics")).hasSize(25);
    }

    @Test
    void bulkIntervalSamplesStepsAcrossRuns() throws Exception {
        String exp = newExperiment("bulk-interval-exp");
        String a = newRun(exp);
        String b = newRun(exp);
        logSteps(a, 100);
        logSteps(b, 10);
        String url = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=" + a + "&run_ids=" + b + "&metric_key=loss";

        JsonNode sampled = ok(get(url + "&max_results=10")).get("metrics");
        Map<String, List<Long>> steps = stepsByRun(sampled);
        // 10 steps spread over 0..99, the last step, and each run's first and last step
        assertThat(steps.get(a)).containsExactly(0L, 9L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 99L);
        assertThat(steps.get(b)).containsExactly(0L, 9L);
        assertThat(sampled.get(0).get("key").asText()).isEqualTo("loss");

        Map<String, List<Long>> window = stepsByRun(ok(get(url + "&start_step=5&end_step=7")).get("metrics"));
        assertThat(window.get(a)).containsExactly(5L, 6L, 7L);
        assertThat(window.get(b)).containsExactly(5L, 6L, 7L);
        assertThat(stepsByRun(ok(get(url)).get("metrics")).get(a)).hasSize(100);

        assertThat(error(get(url + "&start_step=5"), 400, "INVALID_PARAMETER_VALUE").get("message").asText())
                .contains("both must be specified");
        error(get(url + "&start_step=7&end_step=5"), 400, "INVALID_PARAMETER_VALUE");
        error(get(url + "&max_results=0"), 400, "INVALID_PARAMETER_VALUE");
        error(get(API + "metrics/get-history-bulk-interval?metric_key=loss"), 400, "INVALID_PARAMETER_VALUE");
        String many = "run_ids=" + String.join("&run_ids=", java.util.Collections.nCopies(101, a));
        error(get(API + "metrics/get-history-bulk-interval?metric_key=loss&" + many), 400, "INVALID_PARAMETER_VALUE");

        // the UI's unsampled route: runs in id order, at most max_results points in all
        String bulk = "/ajax-api/2.0/mlflow/metrics/get-history-bulk?run_id=" + a + "&run_id=" + b + "&metric_key=loss";
        Map<String, List<Long>> all = stepsByRun(ok(get(bulk)).get("metrics"));
        assertThat(all.get(a)).hasSize(100);
        assertThat(all.get(b)).hasSize(10);
        JsonNode capped = ok(get(bulk + "&max_results=5")).get("metrics");
        assertThat(capped).hasSize(5);
        assertThat(capped.get(0).get("run_id").asText()).isEqualTo(a.compareTo(b) < 0 ? a : b);
        error(get("/ajax-api/2.0/mlflow/metrics/get-history-bulk?metric_key=loss"), 400, "INVALID_PARAMETER_VALUE");
    }

    private static void logSteps(String runId, int n) throws Exception {
        StringBuilder batch = new StringBuilder("{\"run_id\":\"" + runId + "\",\"metrics\":[");
        for (int i = 0; i < n; i++) {
            if (i > 0) batch.append(',');
            batch.append("{\"key\":\"loss\",\"value\":").append(i).append(",\"timestamp\":1,\"step\":").append(i).append('}');
        }
        ok(post("runs/log-batch", batch.append("]}").toString()));
    }

    private static Map<String, List<Long>> stepsByRun(JsonNode metrics) {
        Map<String, List<Long>> out = new java.util.HashMap<>();
        metrics.forEach(m -> out.computeIfAbsent(m.get("run_id").asText(), k -> new ArrayList<>()).add(m.get("step").asLong()));
        return out;
    }

    // ---- errors

    @Test
    void errorBodiesAndStatuses() throws Exception {
        JsonNode notFound = error(get(API + "experiments/get?experiment_id=424242"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(notFound.get("message").asText()).contains("424242");
        error(get(API + "runs/get?run_id=0123456789abcdef0123456789abcdef"), 404, "RESOURCE_DOES_NOT_EXIST");
        JsonNode byName = error(get(API + "experiments/get-by-name?experiment_name=nope"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(byName.get("message").asText()).isEqualTo("Could not find experiment with name 'nope'");

        newExperiment("error-dup");
        error(post("experiments/create", "{\"name\":\"error-dup\"}"), 400, "RESOURCE_ALREADY_EXISTS");

        JsonNode missing = error(get(API + "experiments/get"), 400, "INVALID_PARAMETER_VALUE");
        assertThat(missing.get("message").asText())
                .isEqualTo("Missing value for required parameter 'experiment_id'. See the API docs for more information about request parameters.");
        JsonNode missingRun = error(post("runs/log-metric", "{\"key\":\"m\",\"value\":1,\"timestamp\":1}"), 400, "INVALID_PARAMETER_VALUE");
        assertThat(missingRun.get("message").asText()).startsWith("Missing value for required parameter 'run_id'.");
        JsonNode badType = error(post("runs/create", "{\"experiment_id\":\"0\",\"start_time\":\"yesterday\"}"), 400, "INVALID_PARAMETER_VALUE");
        assertThat(badType.get("message").asText()).contains("start_time");
        error(post("runs/update", "{\"run_id\":\"x\",\"status\":\"DONE\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("runs/search", "{\"max_results\":50001}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/search", "{\"max_results\":0}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/create", "{not json"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/create", "[1,2]"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/create", "{\"name\":\"loc\",\"artifact_location\":\"http:///#/../../../../etc/\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/create", "{\"name\":\"loc\",\"artifact_location\":\"http://foo/bar?a=../../etc\"}"), 400, "INVALID_PARAMETER_VALUE");
        error(post("experiments/create", "{\"name\":\"loc\",\"artifact_location\":\"mlflow-artifacts:/%2e%2e/x\"}"), 400, "INVALID_PARAMETER_VALUE");

        JsonNode endpoint = error(get(API + "no/such/endpoint"), 404, "ENDPOINT_NOT_FOUND");
        assertThat(endpoint.get("message").asText()).contains("no/such/endpoint");
        error(post("runs/explode", "{}"), 404, "ENDPOINT_NOT_FOUND");
        error(get(API + "runs/create"), 404, "ENDPOINT_NOT_FOUND");
    }

    /** As Flask does for MLflow, a HEAD runs the GET route: its status and headers, with no body. */
    @Test
    void headAnswersWhatGetWouldWithoutTheBody() throws Exception {
        String exp = newExperiment("head-exp");
        for (String path : List.of(API + "experiments/get?experiment_id=" + exp, API + "experiments/get?experiment_id=424242",
                API + "runs/get?run_id=nope", API + "experiments/get", "/ui", "/health")) {
            HttpResponse<String> get = get(path);
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(URI.create(server.url() + path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).as(path).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("content-type")).as(path).isEqualTo(get.headers().firstValue("content-type"));
            assertThat(head.headers().firstValueAsLong("content-length")).as(path).hasValue(get.body().getBytes(StandardCharsets.UTF_8).length);
            assertThat(head.body()).as(path).isEmpty();
        }
        assertThat(get(API + "experiments/get?experiment_id=424242").statusCode()).isEqualTo(404);
        // the connection is still in step after the HEADs: the next request on it gets its own answer
        ok(get(API + "experiments/get?experiment_id=" + exp));
    }

    @Test
    void logBatchHonoursMlflowsLimits() throws Exception {
        String runId = newRun(newExperiment("batch-limits"));
        StringBuilder params = new StringBuilder("{\"run_id\":\"" + runId + "\",\"params\":[");
        for (int i = 0; i < 101; i++) params.append(i == 0 ? "" : ",").append("{\"key\":\"p").append(i).append("\",\"value\":\"v\"}");
        error(post("runs/log-batch", params.append("]}").toString()), 400, "INVALID_PARAMETER_VALUE");

        String big = "{\"run_id\":\"" + runId + "\",\"tags\":[{\"key\":\"t\",\"value\":\"" + "x".repeat(1_100_000) + "\"}]}";
        JsonNode tooBig = error(post("runs/log-batch", big), 400, "INVALID_PARAMETER_VALUE");
        assertThat(tooBig.get("message").asText()).startsWith("Batched logging API requests must be at most 1048576 bytes");
        assertThat(ok(get(API + "runs/get?run_id=" + runId)).at("/run/data/params").isMissingNode()).as("nothing written").isTrue();
    }

    /** CVE-2023-43472: a cross-origin text/plain POST needs no preflight, so only application/json is accepted. */
    @Test
    void postBodiesMustBeJson() throws Exception {
        String body = "{\"name\":\"csrf-attempt\"}";
        JsonNode plain = error(post(API + "experiments/create", "text/plain", body), 400, "INVALID_PARAMETER_VALUE");
        assertThat(plain.get("message").asText()).isEqualTo("Bad Request. Content-Type must be one of ['application/json'].");
        error(post(API + "experiments/create", "text/plain;charset=UTF-8", body), 400, "INVALID_PARAMETER_VALUE");
        error(post(API + "experiments/create", "application/x-www-form-urlencoded", body), 400, "INVALID_PARAMETER_VALUE");
        error(post(API + "experiments/create", "multipart/form-data; boundary=x", body), 400, "INVALID_PARAMETER_VALUE");
        error(post("/ajax-api/2.0/mlflow/experiments/update", "text/plain", "{\"experiment_id\":\"0\",\"new_name\":\"pwned\"}"),
                400, "INVALID_PARAMETER_VALUE");
        RawHttp.Response noType = RawHttp.send(server.port(), "POST", API + "experiments/create", null, body.getBytes(StandardCharsets.UTF_8));
        assertThat(noType.status()).isEqualTo(400);
        assertThat(noType.body()).contains("Content-Type header is missing");

        assertThat(ok(get(API + "experiments/get-by-name?experiment_name=Default")).at("/experiment/name").asText()).isEqualTo("Default");
        error(get(API + "experiments/get-by-name?experiment_name=csrf-attempt"), 404, "RESOURCE_DOES_NOT_EXIST");
        ok(post(API + "experiments/create", "application/json; charset=utf-8", "{\"name\":\"json-with-charset\"}"));
    }
}
