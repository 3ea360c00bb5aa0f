package dev.mlv.serving;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.serving.tribuo.TribuoModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** A Tribuo model packaged by mlv, served over HTTP: every input format, bad input, headers and metrics. */
class ScoringServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final double[][] ROWS = {{0.1, 0.2, 48.0}, {2.2, -1.1, 51.5}, {4.1, -2.0, 60.0}, {1.0, -0.5, 45.0}};

    @TempDir
    static Path tmp;
    static ScoringServer server;
    static Model<Label> model;
    static float[][] expected;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        model = TestModels.logistic(7, 5);
        Path dir = tmp.resolve("model");
        ModelPackage.write(TribuoModels.toOnnxModel(model), dir, "0123456789abcdef0123456789abcdef", "model");
        expected = direct(dir.resolve("model.onnx"), ROWS);
        server = ScoringServer.start(new ScoringServer.Options("127.0.0.1", 0, 64 * 1024));
        server.install(LoadedModel.load(dir, "iris", "3"));
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** The same rows through ONNX Runtime directly, with a session of its own. */
    static float[][] direct(Path onnx, double[][] rows) throws Exception {
        float[][] in = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            in[i] = new float[rows[i].length];
            for (int j = 0; j < rows[i].length; j++) in[i][j] = (float) rows[i][j];
        }
        var env = OrtRuntime.env();
        try (OrtSession s = env.createSession(Files.readAllBytes(onnx), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, in);
             OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
            return (float[][]) r.get(0).getValue();
        }
    }

    static HttpResponse<String> post(String type, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/invocations")).POST(HttpRequest.BodyPublishers.ofString(body));
        if (type != null) b.header("Content-Type", type);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** MLflow's DataFrame answer: records {output: value}, the (rows × classes) output flattened row-major. */
    static void assertRecords(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue(ScoringServer.NAME_HEADER)).contains("iris");
        assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("3");
        JsonNode p = JSON.readTree(r.body()).get("predictions");
        int k = expected[0].length;
        assertThat(p.size()).isEqualTo(ROWS.length * k);
        for (int i = 0; i < ROWS.length; i++) {
            for (int j = 0; j < k; j++) {
                assertThat(p.get(i * k + j).get("output").floatValue()).isEqualTo(expected[i][j]);
            }
        }
    }

    static String cols() throws Exception {
        return JSON.writeValueAsString(TestModels.FEATURES);
    }

    static String rows() throws Exception {
        return JSON.writeValueAsString(ROWS);
    }

    /**
     * A client that writes the headers and the body separately (as the JDK's HttpClient does) keeps its connection:
     * the server must not close it after answering, or the client's next request on it fails with no response.
     */
    @Test
    void aBodyThatArrivesAfterItsHeadersKeepsTheConnectionAlive() throws Exception {
        String body = "{\"dataframe_split\": {\"columns\": " + cols() + ", \"data\": " + rows() + "}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST /invocations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 20; i++) {
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Thread.sleep(i % 2 == 0 ? 20 : 0);
                out.write(bytes);
                out.flush();
                assertThat(readResponse(in)).as("response %d on one connection", i).startsWith("HTTP/1.1 200");
            }
        }
    }

    /** Reads one HTTP/1.1 response with a Content-Length; returns its status line and headers. */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder headers = new StringBuilder();
        int length = -1;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            headers.append(line).append('\n');
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        assertThat(length).as(headers.toString()).isGreaterThanOrEqualTo(0);
        assertThat(in.readNBytes(length)).hasSize(length);
        return headers.toString();
    }

    private static String readLine(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) throw new java.io.EOFException("connection closed by the server after: " + b);
            if (c != '\r') b.append((char) c);
        }
        return b.toString();
    }

    /** {@code mlv models predict} answers what {@code /invocations} answers for the same body, byte for byte. */
    @Test
    void aLocalModelAnswersAsTheServerDoes() throws Exception {
        StringBuilder csv = new StringBuilder("f_a,f_b,f_c\n");
        for (double[] r : ROWS) csv.append(r[0]).append(',').append(r[1]).append(',').append(r[2]).append('\n');
        Map<String, String> bodies = Map.of(
                "{\"dataframe_split\": {\"columns\": " + cols() + ", \"data\": " + rows() + "}}", "application/json",
                "{\"instances\": " + rows() + "}", "application/json",
                csv.toString(), "text/csv");
        for (var e : bodies.entrySet()) {
            HttpResponse<String> served = post(e.getValue(), e.getKey());
            assertRecords(served);
            try (LocalModel model = LocalModel.load(tmp.resolve("model").toString(), null, tmp.resolve("cache"))) {
                byte[] body = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] predicted = LocalModel.answer(e.getValue().equals("text/csv") ? model.predictCsv(body) : model.predictJson(body));
                assertThat(new String(predicted, StandardCharsets.UTF_8)).isEqualTo(served.body());
            }
        }
        try (LocalModel model = LocalModel.load(tmp.resolve("model").toString(), null, tmp.resolve("cache"))) {
            assertThat(model.name()).isEqualTo("model");
            assertThat(model.version()).isEqualTo("local");
            List<List<Double>> rows = new java.util.ArrayList<>();
            for (double[] r : ROWS) rows.add(List.of(r[0], r[1], r[2]));
            assertThat(LocalModel.answer(model.predict(List.of("f_a", "f_b", "f_c"), rows)))
                    .asString(StandardCharsets.UTF_8).isEqualTo(post("application/json", "{\"instances\": " + rows() + "}").body());
            assertThatThrownBy(() -> model.predictJson("{\"instances\": [[1, 2]]}".getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOf(dev.mlv.errors.MlvException.class).hasMessageContaining("has 2 values; the model signature has 3 columns");
            model.close();
            assertThatThrownBy(() -> model.predict(List.of("f_a", "f_b", "f_c"), rows)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("The model is closed");
        }
    }

    @Test
    void dataframeSplit() throws Exception {
        assertRecords(post("application/json", "{\"dataframe_split\": {\"columns\": " + cols() + ", \"data\": " + rows() + "}}"));
    }

    /**
     * A body with a Content-Length is answered in front of Javalin, a chunked one (no length) by Javalin's route:
     * both give the same answer, also with a trailing slash, and a chunked body over the limit is still a 413.
     */
    @Test
    void chunkedBodiesAndTrailingSlashGetTheSameAnswer() throws Exception {
        String body = "{\"dataframe_split\": {\"columns\": " + cols() + ", \"data\": " + rows() + "}}";
        HttpResponse<String> sized = post("application/json", body);
        assertRecords(sized);
        for (String path : List.of("/invocations", "/invocations/")) {
            HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body.getBytes()))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertRecords(chunked);
            assertThat(chunked.body()).isEqualTo(sized.body());
            assertThat(chunked.headers().firstValue("Content-Type")).isEqualTo(sized.headers().firstValue("Content-Type"));
            assertRecords(HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        byte[] huge = ("{\"instances\": [" + "[1.0,2.0,3.0],".repeat(10_000) + "[1,2,3]]}").getBytes();
        HttpResponse<String> tooBig = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/invocations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("REQUEST_LIMIT_EXCEEDED");
        assertRecords(sized);
    }

    @Test
    void dataframeSplitWithColumnsInAnotherOrder() throws Exception {
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < ROWS.length; i++) {
            data.append(i > 0 ? "," : "").append("[").append(ROWS[i][2]).append(",").append(ROWS[i][0]).append(",").append(ROWS[i][1]).append("]");
        }
        assertRecords(post("application/json", "{\"dataframe_split\": {\"columns\": [\"f_c\",\"f_a\",\"f_b\"], \"data\": " + data + "]}}"));
    }

    @Test
    void dataframeRecordsAndParams() throws Exception {
        List<Map<String, Double>> recs = new ArrayList<>();
        for (double[] r : ROWS) recs.add(Map.of("f_a", r[0], "f_b", r[1], "f_c", r[2]));
        assertRecords(post("application/json; charset=utf-8", "{\"dataframe_records\": " + JSON.writeValueAsString(recs) + ", \"params\": {}}"));
    }

    @Test
    void instancesAsRowsAndAsRecords() throws Exception {
        assertRecords(post("application/json", "{\"instances\": " + rows() + "}"));
        List<Map<String, Double>> recs = new ArrayList<>();
        for (double[] r : ROWS) recs.add(Map.of("f_a", r[0], "f_b", r[1], "f_c", r[2]));
        assertRecords(post("application/json", "{\"instances\": " + JSON.writeValueAsString(recs) + "}"));
    }

    @Test
    void inputsAsColumnsAndAsRows() throws Exception {
        StringBuilder sb = new StringBuilder("{\"inputs\": {");
        for (int j = 0; j < 3; j++) {
            sb.append(j > 0 ? "," : "").append('"').append(TestModels.FEATURES[j]).append("\": [");
            for (int i = 0; i < ROWS.length; i++) sb.append(i > 0 ? "," : "").append(ROWS[i][j]);
            sb.append("]");
        }
        assertRecords(post("application/json", sb.append("}}").toString()));
        assertRecords(post("application/json", "{\"inputs\": " + rows() + "}"));
    }

    @Test
    void csv() throws Exception {
        StringBuilder sb = new StringBuilder("f_a,f_b,f_c\n");
        for (double[] r : ROWS) sb.append(r[0]).append(',').append(r[1]).append(',').append(r[2]).append('\n');
        assertRecords(post("text/csv", sb.toString()));
    }

    @Test
    void servedPredictionsAgreeWithTribuo() throws Exception {
        // the ONNX export computes the same probabilities as the Tribuo model itself
        for (int i = 0; i < ROWS.length; i++) {
            var p = model.predict(new ArrayExample<>(new Label("?"), TestModels.FEATURES, ROWS[i]));
            for (int j = 0; j < expected[i].length; j++) {
                String label = model.getOutputIDInfo().getOutput(j).getLabel();
                assertThat((double) expected[i][j]).isCloseTo(p.getOutputScores().get(label).getScore(), within(1e-4));
            }
        }
    }

    @Test
    void badInputIsA400AndTheServerKeepsServing() throws Exception {
        var malformed = post("application/json", "{\"dataframe_split\": {");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).get("error_code").asText()).isEqualTo("BAD_REQUEST");
        assertThat(malformed.body()).contains("Malformed JSON");

        var missing = post("application/json", "{\"dataframe_split\": {\"columns\": [\"f_a\",\"f_b\",\"wrong\"], \"data\": [[1,2,3]]}}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("f_c").contains("wrong");

        var type = post("application/json", "{\"dataframe_records\": [{\"f_a\": 1, \"f_b\": \"two\", \"f_c\": 3}]}");
        assertThat(type.statusCode()).isEqualTo(400);
        assertThat(type.body()).contains("f_b").contains("double");

        var shape = post("application/json", "{\"instances\": [[1, 2]]}");
        assertThat(shape.statusCode()).isEqualTo(400);
        assertThat(shape.body()).contains("3 columns");

        var ragged = post("application/json", "{\"dataframe_split\": {\"columns\": " + cols() + ", \"data\": [[1,2,3],[1,2]]}}");
        assertThat(ragged.statusCode()).isEqualTo(400);

        var bareList = post("application/json", "[[1,2,3]]");
        assertThat(bareList.statusCode()).isEqualTo(400);
        assertThat(bareList.body()).contains("2.0");

        var twoFormats = post("application/json", "{\"instances\": [[1,2,3]], \"inputs\": [[1,2,3]]}");
        assertThat(twoFormats.statusCode()).isEqualTo(400);

        var csvBad = post("text/csv", "f_a,f_b,f_c\n1,x,3\n");
        assertThat(csvBad.statusCode()).isEqualTo(400);
        assertThat(csvBad.body()).contains("f_b");

        assertThat(post("text/plain", "hello").statusCode()).isEqualTo(415);
        assertThat(post("application/json; format=pandas-split", "{}").statusCode()).isEqualTo(415);
        assertThat(post("application/json; charset=latin-1", "{}").statusCode()).isEqualTo(415);
        assertThat(post(null, "{}").statusCode()).isEqualTo(415);

        String huge = "{\"instances\": [" + "[1.0,2.0,3.0],".repeat(10_000) + "[1,2,3]]}";
        var tooBig = post("application/json", huge);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(tooBig.body()).contains("REQUEST_LIMIT_EXCEEDED");
        // a client still sending a refused body of some MiB reads the refusal rather than a reset mid-write
        String megabytes = "{\"instances\": [" + "[1.0,2.0,3.0],".repeat(300_000) + "[1,2,3]]}";
        for (int i = 0; i < 30; i++) {
            assertThat(post("application/json", megabytes).statusCode()).isEqualTo(413);
            assertThat(post("text/plain", megabytes).statusCode()).isEqualTo(415);
        }

        assertRecords(post("application/json", "{\"instances\": " + rows() + "}"));
    }

    @Test
    void healthVersionAndMetrics() throws Exception {
        assertThat(get("/ping").statusCode()).isEqualTo(200);
        var h = get("/health");
        assertThat(h.statusCode()).isEqualTo(200);
        assertThat(h.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("3");
        assertThat(get("/version").body()).isNotBlank();
        post("application/json", "{\"instances\": " + rows() + "}");
        post("application/json", "{");
        String m = get("/metrics").body();
        assertThat(m).contains("mlv_serving_requests_total{outcome=\"success\",status=\"200\"}")
                .contains("mlv_serving_requests_total{outcome=\"error\",status=\"400\"}")
                .contains("mlv_serving_invocation_latency_seconds_bucket")
                .contains("mlv_serving_model_loaded{name=\"iris\",version=\"3\"} 1.0")
                .contains("mlv_serving_model_version 3.0");
        assertThat(get("/nope").statusCode()).isEqualTo(404);
    }

    /** A HEAD runs its GET route: 404 before a model is loaded, then 200 with the version headers; never a body. */
    @Test
    void headAnswersAsGetDoesWithoutABody() throws Exception {
        try (ScoringServer empty = ScoringServer.start(new ScoringServer.Options("127.0.0.1", 0, 64 * 1024))) {
            String at = "http://127.0.0.1:" + empty.port();
            for (String path : List.of("/ping", "/health")) {
                assertThat(head(at + path).statusCode()).as(path).isEqualTo(404);
                assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(at + path)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode()).as(path).isEqualTo(404);
            }
        }
        for (String path : List.of("/ping", "/health", "/version", "/metrics")) {
            var h = head(base + path);
            assertThat(h.statusCode()).as(path).isEqualTo(200);
            assertThat(h.headers().firstValue(ScoringServer.VERSION_HEADER)).as(path).contains("3");
            assertThat(h.body()).as(path).isEmpty();
        }
        assertThat(get("/version").body()).isNotBlank(); // the connection is still in step after the HEADs
    }

    static HttpResponse<String> head(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
