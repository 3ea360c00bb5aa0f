package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.ActiveRun;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.client.model.LoggedModel;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.client.model.OnnxModel;
import dev.mlv.client.model.TensorSpec;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The lifecycle against a real mlv server: train Tribuo models, log them, register, promote, serve by stage and alias,
 * follow promotions and rollbacks under load, refuse tampered files.
 */
class ServeEndToEndTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final String ROW = "{\"dataframe_split\": {\"columns\": [\"f_a\",\"f_b\",\"f_c\"], \"data\": [[2.0, -1.0, 50.0]]}}";

    @TempDir
    static Path tmp;
    static MlvServer server;
    static MlvClient client;
    static RestClient rest;
    static Model<Label> m1;
    static Model<Label> m2;

    @BeforeAll
    static void setUp() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, tmp.resolve("home"), null, null));
        client = MlvClient.connect(server.url());
        rest = client.rest();
        m1 = TestModels.logistic(1, 3);
        m2 = TestModels.scaledLogistic(2);
        rest.post("/api/2.0/mlflow/registered-models/create", Map.of("name", "clf"));
        register("clf", logged(m1));   // version 1
        register("clf", logged(m2));   // version 2: a TransformedModel, its scaling folded into the ONNX graph
    }

    @AfterAll
    static void tearDown() {
        if (server != null) server.close();
    }

    static LoggedModel logged(Model<Label> m) {
        try (ActiveRun run = client.startRun("serving-e2e")) {
            run.logParam("epochs", 3);
            return TribuoModels.log(run, "model", m);
        }
    }

    static String register(String name, LoggedModel lm) {
        JsonNode v = rest.post("/api/2.0/mlflow/model-versions/create",
                Map.of("name", name, "source", lm.modelUri(), "run_id", lm.runId()));
        return v.path("model_version").path("version").asText();
    }

    static void setAlias(String alias, String version) {
        rest.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", "clf", "alias", alias, "version", version));
    }

    static void transition(String version, String stage) {
        rest.post("/api/2.0/mlflow/model-versions/transition-stage",
                Map.of("name", "clf", "version", version, "stage", stage, "archive_existing_versions", "false"));
    }

    static ModelServing serve(String uri) {
        return ModelServing.start(ModelServing.Config.of(uri, "127.0.0.1", 0, server.url())
                .withCacheDir(tmp.resolve("cache")).withPollInterval(Duration.ofMillis(100)));
    }

    static HttpResponse<String> invoke(int port, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Tribuo's own probabilities for the row of {@link #ROW}, in ONNX output order. */
    static double[] tribuo(Model<Label> m) {
        var p = m.predict(new ArrayExample<>(new Label("?"), TestModels.FEATURES, new double[]{2.0, -1.0, 50.0}));
        double[] out = new double[m.getOutputIDInfo().size()];
        for (int j = 0; j < out.length; j++) out[j] = p.getOutputScores().get(m.getOutputIDInfo().getOutput(j).getLabel()).getScore();
        return out;
    }

    /**
     * A model logged the MLflow 3 way: a logged model, its package uploaded to the model's own artifact location, then
     * finalized. It serves by {@code models:/<model_id>}, and a version registered from that URI serves with digests.
     */
    @Test
    void anMlflow3LoggedModelServesByItsIdAndRegistersFromIt() throws Exception {
        String runId;
        String experimentId;
        try (ActiveRun run = client.startRun("mlflow3-style")) {
            runId = run.runId();
            experimentId = rest.get("/api/2.0/mlflow/runs/get", Map.of("run_id", runId)).at("/run/info/experiment_id").asText();
        }
        JsonNode info = rest.post("/api/2.0/mlflow/logged-models",
                Map.of("experiment_id", experimentId, "name", "adder", "source_run_id", runId)).at("/model/info");
        String id = info.path("model_id").asText();
        Path pkg = Files.createDirectories(tmp.resolve("mlflow3-" + id));
        var sig = new ModelSignature(List.of(new TensorSpec("x", "float32", List.of(-1L, 3L))),
                List.of(new TensorSpec("y", "float32", List.of(-1L, 3L))));
        ModelPackage.write(OnnxModel.fromBytes(TestModels.addOne()).signature(sig), pkg, runId, "model");
        String root = info.path("artifact_uri").asText().substring("mlflow-artifacts:/".length());
        try (var files = Files.list(pkg)) {
            for (Path f : files.toList()) rest.putFile("/api/2.0/mlflow-artifacts/artifacts/" + root + "/" + f.getFileName(), f);
        }
        rest.patch("/api/2.0/mlflow/logged-models/" + id, Map.of("model_id", id, "status", "LOGGED_MODEL_READY"));

        try (ModelServing s = serve("models:/" + id)) {
            HttpResponse<String> r = invoke(s.port(), "{\"inputs\": [[1, 2, 3]]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).at("/predictions/y").toString()).isEqualTo("[[2.0,3.0,4.0]]");
            assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains(id);
        }
        // MLflow 3 links the model to its run as an output: runs:/<run>/<name> then finds it too
        rest.post("/api/2.0/mlflow/runs/outputs", Map.of("run_id", runId, "models", List.of(Map.of("model_id", id, "step", 0))));
        try (ModelServing s = serve("runs:/" + runId + "/adder")) {
            HttpResponse<String> r = invoke(s.port(), "{\"inputs\": [[1, 1, 1]]}");
            assertThat(JSON.readTree(r.body()).at("/predictions/y").toString()).isEqualTo("[[2.0,2.0,2.0]]");
            assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains(id);
        }
        assertThatThrownBy(() -> serve("models:/adder")).hasMessageContaining("names a logged model by its id")
                .hasMessageContaining("models:/adder/<version|stage|latest>");
        rest.post("/api/2.0/mlflow/registered-models/create", Map.of("name", "adder"));
        JsonNode v = rest.post("/api/2.0/mlflow/model-versions/create",
                Map.of("name", "adder", "source", "models:/" + id, "model_id", id)).path("model_version");
        assertThat(v.path("run_id").asText()).isEqualTo(runId);
        try (ModelServing s = serve("models:/adder/" + v.path("version").asText())) {
            HttpResponse<String> r = invoke(s.port(), "{\"inputs\": [[0, 0, 1]]}");
            assertThat(JSON.readTree(r.body()).at("/predictions/y").toString()).isEqualTo("[[1.0,1.0,2.0]]");
        }
    }

    @Test
    void aLoggedModelIsRecordedInItsRunsModelHistory() throws Exception {
        LoggedModel lm = logged(m1);
        String history = null;
        for (JsonNode t : rest.get("/api/2.0/mlflow/runs/get", Map.of("run_id", lm.runId())).at("/run/data/tags")) {
            if (t.path("key").asText().equals("mlflow.log-model.history")) history = t.path("value").asText();
        }
        assertThat(history).as("runs/log-model, as MLflow's log_model records it").isNotNull();
        JsonNode models = new com.fasterxml.jackson.databind.ObjectMapper().readTree(history);
        assertThat(models).hasSize(1);
        assertThat(models.at("/0/artifact_path").asText()).isEqualTo("model");
        assertThat(models.at("/0/run_id").asText()).isEqualTo(lm.runId());
        assertThat(models.at("/0/flavors/onnx/data").asText()).isEqualTo("model.onnx");
    }

    @Test
    void servesTheProductionVersionWithVerifiedFilesAndItsFeaturePipeline() throws Exception {
        transition("2", "Production");
        try (ModelServing s = serve("models:/clf/Production")) {
            HttpResponse<String> r = invoke(s.port(), ROW);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue(ScoringServer.NAME_HEADER)).contains("clf");
            assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("2");
            JsonNode p = JSON.readTree(r.body()).get("predictions");
            double[] want = tribuo(m2);   // TransformedModel: same answer only if the scaling is in the package
            assertThat(p).hasSize(want.length);
            for (int j = 0; j < want.length; j++) assertThat(p.get(j).get("output").asDouble()).isCloseTo(want[j], within(1e-4));
            // in process (mlv models predict), through the registry and the cache, the same version answers the same
            try (LocalModel local = LocalModel.load("models:/clf/Production", server.url(), tmp.resolve("cache"))) {
                assertThat(local.version()).isEqualTo("2");
                byte[] predicted = LocalModel.answer(local.predictJson(ROW.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                assertThat(new String(predicted, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(r.body());
                assertThat(local.predict(List.of("f_a", "f_b", "f_c"), List.of(List.of(2.0, -1.0, 50.0))).toString()).isEqualTo(p.toString());
            }

            Path dir = tmp.resolve("cache").resolve("clf").resolve("2");
            assertThat(dir.resolve("MLmodel")).exists();
            assertThat(dir.resolve("provenance.json")).content().contains("LinearScalingTransformation").contains("synthetic-2");
            assertThat(dir.resolve("environment.json")).content().contains("java");
            String ml = Files.readString(dir.resolve("MLmodel"));
            assertThat(ml).contains("loader_module: mlflow.onnx").contains("data: model.onnx").contains("run_id:")
                    .contains("model_uuid:").contains("utc_time_created:").contains("signature:");
        }
    }

    @Test
    void followsAliasMovesAndRollbacksUnderLoadWithoutFailedRequests() throws Exception {
        setAlias("champion", "1");
        try (ModelServing s = serve("models:/clf@champion")) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicReference<String> lastVersion = new AtomicReference<>();
            Runnable load = () -> {
                while (!stop.get()) {
                    try {
                        HttpResponse<String> r = invoke(s.port(), ROW);
                        if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
                        else {
                            ok.incrementAndGet();
                            lastVersion.set(r.headers().firstValue(ScoringServer.VERSION_HEADER).orElse("?"));
                        }
                    } catch (Exception e) {
                        failures.add(e.toString());
                    }
                }
            };
            List<Thread> clients = Stream.generate(() -> new Thread(load)).limit(3).toList();
            clients.forEach(Thread::start);
            try {
                awaitVersion(lastVersion, "1");
                setAlias("champion", "2");
                long swap1 = awaitVersion(lastVersion, "2");
                rest.post("/api/2.0/mlv/registered-models/rollback", Map.of("name", "clf", "alias", "champion", "reason", "test"));
                long swap2 = awaitVersion(lastVersion, "1");
                System.out.printf("alias move reached serving in %d ms, rollback in %d ms%n", swap1, swap2);
            } finally {
                stop.set(true);
                for (Thread t : clients) t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(ok.get()).isPositive();
        }
    }

    @Test
    void aLocalModelFollowsAliasMovesInProcessWithoutFailedCalls() throws Exception {
        setAlias("local-champion", "1");
        try (LocalModel local = LocalModel.follow("models:/clf@local-champion", server.url(), tmp.resolve("cache"),
                Duration.ofMillis(100))) {
            JsonNode first = local.predictJson(ROW.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicReference<String> answered = new AtomicReference<>(); // the predictions of the last call
            Thread caller = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        answered.set(local.predict(List.of("f_a", "f_b", "f_c"), List.of(List.of(2.0, -1.0, 50.0))).toString());
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                }
            });
            caller.start();
            try {
                setAlias("local-champion", "2");
                long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
                while (!local.version().equals("2")) {
                    assertThat(System.nanoTime()).as("version 2 loaded").isLessThan(deadline);
                    Thread.sleep(5);
                }
                Thread.sleep(50);
            } finally {
                stop.set(true);
                caller.join();
            }
            assertThat(failures).isEmpty();
            double[] want = tribuo(m2);
            JsonNode now = JSON.readTree(answered.get());
            assertThat(now.toString()).isNotEqualTo(first.toString());
            for (int j = 0; j < want.length; j++) assertThat(now.get(j).get("output").asDouble()).isCloseTo(want[j], within(1e-4));
        }
        try (LocalModel pinned = LocalModel.load("models:/clf@local-champion", server.url(), tmp.resolve("cache"))) {
            setAlias("local-champion", "1");
            Thread.sleep(300);
            assertThat(pinned.version()).as("load resolves once").isEqualTo("2");
        }
    }

    /** Waits (bounded) until answers come from {@code version}; returns the time it took. */
    static long awaitVersion(AtomicReference<String> last, String version) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(15).toNanos();
        while (!version.equals(last.get())) {
            assertThat(System.nanoTime()).as("answers from version " + version).isLessThan(deadline);
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void refusesToServeFilesWhoseDigestDiffersFromTheRegisteredOne() throws Exception {
        LoggedModel lm = logged(TestModels.logistic(3, 2));
        String v = register("clf", lm);
        Path onnx;
        try (Stream<Path> files = Files.walk(tmp.resolve("home"))) {
            onnx = files.filter(p -> p.endsWith(Path.of(lm.runId(), "artifacts", "model", "model.onnx"))).findFirst().orElseThrow();
        }
        Files.write(onnx, new byte[]{1, 2, 3});
        assertThatThrownBy(() -> serve("models:/clf/" + v))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE))
                .hasMessageContaining("SHA-256").hasMessageContaining("model.onnx");
    }

    @Test
    void servesARunsUri() throws Exception {
        LoggedModel lm = logged(m1);
        try (ModelServing s = serve(lm.modelUri())) {
            HttpResponse<String> r = invoke(s.port(), ROW);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("run-" + lm.runId());
        }
    }

    @Test
    void generatesADockerBuildContextWithTheVerifiedModelFiles() throws Exception {
        Path jarDir = Files.createDirectories(tmp.resolve("cli-target"));
        Path jar = Files.write(jarDir.resolve("mlv.jar"), new byte[]{'P', 'K'});
        Files.createDirectories(jarDir.resolve("lib"));
        Files.write(jarDir.resolve("lib").resolve("dep-1.0.jar"), new byte[]{1});
        var fetcher = new dev.mlv.serving.registry.ModelFetcher(rest, tmp.resolve("cache"));
        Path ctx = tmp.resolve("docker");
        var r = dev.mlv.serving.docker.DockerContext.write("models:/clf/1", fetcher, ctx, jar);
        assertThat(r.version()).isEqualTo("1");
        String df = Files.readString(ctx.resolve("Dockerfile"));
        assertThat(df).contains("FROM eclipse-temurin:17-jre").contains("COPY mlv.jar").contains("COPY lib/")
                .contains("COPY model/ /opt/ml/model/").contains("EXPOSE 8080")
                .contains("\"models\", \"serve\", \"-m\", \"/opt/ml/model\", \"--host\", \"0.0.0.0\", \"--port\", \"8080\"")
                .contains("\"--name\", \"clf\", \"--model-version\", \"1\"");
        assertThat(ctx.resolve("lib").resolve("dep-1.0.jar")).exists();
        assertThat(ctx.resolve("mlv.jar")).exists();
        JsonNode files = rest.get("/api/2.0/mlv/model-versions/files", Map.of("name", "clf", "version", "1")).path("files");
        assertThat(files.size()).isPositive();
        for (JsonNode f : files) {
            Path p = ctx.resolve("model").resolve(f.path("path").asText());
            assertThat(dev.mlv.serving.registry.ModelFetcher.sha256(p)).isEqualTo(f.path("sha256").asText());
        }
        assertThat(ctx.resolve("mlv-model.json")).content().contains("\"version\" : \"1\"").contains("models:/clf/1");
        // the CMD's local-directory form serves the copied model
        try (ModelServing s = ModelServing.start(ModelServing.Config.of(ctx.resolve("model").toString(), "127.0.0.1", 0, null)
                .withLocalName("clf", "1"))) {
            HttpResponse<String> resp = invoke(s.port(), ROW);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.headers().firstValue(ScoringServer.VERSION_HEADER)).contains("1");
        }
    }
}
