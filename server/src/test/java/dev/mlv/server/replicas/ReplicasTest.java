package dev.mlv.server.replicas;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.s3.S3Clients;
import dev.mlv.server.MlvServer;
import dev.mlv.server.replicas.Api.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two stateless server replicas on one PostgreSQL and one S3 endpoint, as behind a load balancer: concurrent clients
 * spread over both, promotions through both, PostgreSQL restarted under load, an unreachable S3 endpoint.
 */
class ReplicasTest {
    @TempDir
    static Path dir;
    private static Infra infra;
    private static MlvServer a;
    private static MlvServer b;

    @BeforeAll
    static void start() throws Exception {
        infra = Infra.start(dir);
        a = infra.startReplica("a");
        b = infra.startReplica("b");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (a != null) a.close();
            if (b != null) b.close();
        } finally {
            if (infra != null) infra.close();
        }
    }

    private static String replica(int i) {
        return (i % 2 == 0 ? a : b).url();
    }

    private static String newExperiment(String base, String name) {
        return Api.post(base, "mlflow/experiments/create", Map.of("name", name + "-" + System.nanoTime()))
                .ok().body().path("experiment_id").asText();
    }

    private static JsonNode newRun(String base, String experimentId) {
        return Api.post(base, "mlflow/runs/create", Map.of("experiment_id", experimentId,
                "start_time", System.currentTimeMillis())).ok().body().path("run").path("info");
    }

    private static Map<String, Object> batch(String runId, int step) {
        long now = System.currentTimeMillis();
        return Map.of("run_id", runId, "metrics", List.of(
                Map.of("key", "loss", "value", 1.0 / (step + 1), "timestamp", now, "step", step),
                Map.of("key", "acc", "value", step / 100.0, "timestamp", now, "step", step)));
    }

    private static Set<Long> steps(String base, String runId, String key) {
        JsonNode h = Api.get(base, "mlflow/metrics/get-history", Map.of("run_id", runId, "metric_key", key,
                "max_results", "25000")).ok().body();
        Set<Long> out = new TreeSet<>();
        h.path("metrics").forEach(m -> out.add(m.path("step").asLong()));
        return out;
    }

    @Test
    void concurrentClientsOnBothReplicasLoseNoMetricAndFinishEveryRun() throws Exception {
        String exp = newExperiment(a.url(), "replicas");
        int clients = 6;
        int steps = 25;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<String>> runs = new ArrayList<>();
        try {
            for (int c = 0; c < clients; c++) {
                int client = c;
                runs.add(pool.submit(() -> {
                    String runId = newRun(replica(client), exp).path("run_id").asText();
                    Api.post(replica(client + 1), "mlflow/runs/log-parameter",
                            Map.of("run_id", runId, "key", "client", "value", Integer.toString(client))).ok();
                    for (int s = 0; s < steps; s++) {
                        Api.post(replica(client + s), "mlflow/runs/log-batch", batch(runId, s)).ok();
                    }
                    Api.post(replica(client + 1), "mlflow/runs/update", Map.of("run_id", runId, "status", "FINISHED",
                            "end_time", System.currentTimeMillis())).ok();
                    return runId;
                }));
            }
            Set<Long> all = new TreeSet<>();
            for (long s = 0; s < steps; s++) all.add(s);
            for (int c = 0; c < clients; c++) {
                String runId = runs.get(c).get();
                for (MlvServer r : List.of(a, b)) {
                    JsonNode run = Api.get(r.url(), "mlflow/runs/get", Map.of("run_id", runId)).ok().body().path("run");
                    assertThat(run.path("info").path("status").asText()).isEqualTo("FINISHED");
                    assertThat(run.path("data").path("params").get(0).path("value").asText()).isEqualTo(Integer.toString(c));
                    assertThat(steps(r.url(), runId, "loss")).isEqualTo(all);
                    assertThat(steps(r.url(), runId, "acc")).isEqualTo(all);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A run with a small model uploaded through {@code base}'s artifact proxy; returns {run_id, source, sha256}. */
    private static String[] runWithModel(String base, String exp, String content) throws Exception {
        JsonNode info = newRun(base, exp);
        String runId = info.path("run_id").asText();
        String storePath = info.path("artifact_uri").asText().substring("mlflow-artifacts:/".length());
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        Api.putArtifact(base, storePath + "/model/model.bin", () -> new ByteArrayInputStream(bytes)).ok();
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        return new String[]{runId, "mlflow-artifacts:/" + storePath + "/model", sha};
    }

    @Test
    void promotionsThroughBothReplicasSerializeIntoOneValidAuditChain() throws Exception {
        String exp = newExperiment(a.url(), "promotions");
        String model = "fraud-" + System.nanoTime();
        Api.post(a.url(), "mlflow/registered-models/create", Map.of("name", model)).ok();
        int versions = 4;
        for (int v = 0; v < versions; v++) {
            String[] m = runWithModel(replica(v), exp, "weights of version " + (v + 1));
            JsonNode mv = Api.post(replica(v + 1), "mlflow/model-versions/create",
                    Map.of("name", model, "source", m[1], "run_id", m[0])).ok().body().path("model_version");
            assertThat(mv.path("version").asText()).isEqualTo(Integer.toString(v + 1));
            JsonNode files = Api.get(replica(v), "mlv/model-versions/files", Map.of("name", model,
                    "version", Integer.toString(v + 1))).ok().body().path("files");
            assertThat(files.get(0).path("sha256").asText()).isEqualTo(m[2]); // hashed from the bytes in S3
        }
        int workers = 4;
        int movesEach = 6;
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        AtomicInteger moves = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < movesEach; i++) {
                        String version = Integer.toString(ThreadLocalRandom.current().nextInt(versions) + 1);
                        if (i % 2 == 0) {
                            Api.post(replica(worker + i), "mlflow/model-versions/transition-stage", Map.of("name", model,
                                    "version", version, "stage", "Staging", "archive_existing_versions", true),
                                    "user" + worker).ok();
                        } else {
                            Api.post(replica(worker + i), "mlflow/registered-models/alias", Map.of("name", model,
                                    "alias", "champion", "version", version), "user" + worker).ok();
                        }
                        moves.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        assertThat(moves.get()).isEqualTo(workers * movesEach);
        for (MlvServer r : List.of(a, b)) {
            assertThat(stagingVersions(r.url(), model)).as("archive_existing_versions leaves one version in Staging").hasSize(1);
            JsonNode verify = Api.get(r.url(), "mlv/audit/verify", Map.of()).ok().body();
            assertThat(verify.path("valid").asBoolean()).as(verify.toString()).isTrue();
            assertThat(verify.path("events_checked").asInt()).isGreaterThanOrEqualTo(1 + versions + workers * movesEach);
        }
        // moves written by either replica form one history; rolling back through the other replica returns Staging
        // to the version that held it before the last move
        Api.post(a.url(), "mlflow/model-versions/transition-stage", Map.of("name", model, "version", "1",
                "stage", "Staging", "archive_existing_versions", true)).ok();
        Api.post(b.url(), "mlflow/model-versions/transition-stage", Map.of("name", model, "version", "2",
                "stage", "Staging", "archive_existing_versions", true)).ok();
        JsonNode last = Api.get(a.url(), "mlv/registered-models/history", Map.of("name", model, "stage", "Staging"))
                .ok().body().path("moves").get(0);
        assertThat(last.path("from_version").asText()).isEqualTo("1");
        assertThat(last.path("to_version").asText()).isEqualTo("2");
        JsonNode rolledBack = Api.post(a.url(), "mlv/registered-models/rollback",
                Map.of("name", model, "stage", "Staging", "reason", "bad release")).ok().body();
        assertThat(rolledBack.path("model_version").path("version").asText()).isEqualTo("1");
        assertThat(stagingVersions(b.url(), model)).containsExactly("1");
        assertThat(Api.get(b.url(), "mlv/audit/verify", Map.of()).ok().body().path("valid").asBoolean()).isTrue();
    }

    @Test
    void webhookEventsOfBothReplicasAreDeliveredOnceEach() throws Exception {
        Map<String, String> seen = new ConcurrentHashMap<>(); // delivery id -> data
        AtomicInteger posts = new AtomicInteger();
        com.sun.net.httpserver.HttpServer receiver = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            posts.incrementAndGet();
            seen.put(ex.getRequestHeaders().getFirst("X-MLflow-Delivery-Id"), body);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            String hook = Api.post(a.url(), "mlflow/webhooks", Map.of("name", "both", "url",
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/", "events",
                    List.of(Map.of("entity", "MODEL_VERSION_ALIAS", "action", "CREATED")))).ok().body()
                    .path("webhook").path("webhook_id").asText();
            String model = "hooked-" + System.nanoTime();
            Api.post(b.url(), "mlflow/registered-models/create", Map.of("name", model)).ok();
            String exp = newExperiment(a.url(), "hooks");
            String[] m = runWithModel(a.url(), exp, "weights");
            Api.post(a.url(), "mlflow/model-versions/create", Map.of("name", model, "source", m[1], "run_id", m[0])).ok();
            int moves = 20;
            for (int i = 0; i < moves; i++) {
                Api.post(replica(i), "mlflow/registered-models/alias", Map.of("name", model, "alias", "a" + i, "version", "1")).ok();
            }
            waitFor(() -> seen.size() >= moves);
            Thread.sleep(1_000); // long enough for a duplicate to show
            assertThat(seen).hasSize(moves);
            assertThat(posts.get()).as("no delivery sent twice").isEqualTo(moves);
            Set<String> aliases = new TreeSet<>();
            for (String body : seen.values()) aliases.add(Api.JSON.readTree(body).path("data").path("alias").asText());
            assertThat(aliases).hasSize(moves);
            JsonNode deliveries = Api.get(b.url(), "mlv/webhooks/deliveries", Map.of("webhook_id", hook)).ok().body();
            assertThat(deliveries.path("deliveries")).hasSize(moves)
                    .allSatisfy(d -> assertThat(d.path("status").asText()).isEqualTo("DELIVERED"));
            Api.send(HttpRequest.newBuilder(URI.create(a.url() + "/api/2.0/mlflow/webhooks/" + hook)).DELETE().build()).ok();
        } finally {
            receiver.stop(0);
        }
    }

    private static List<String> stagingVersions(String base, String model) {
        JsonNode versions = Api.get(base, "mlflow/model-versions/search", Map.of("filter", "name='" + model + "'"))
                .ok().body().path("model_versions");
        List<String> out = new ArrayList<>();
        for (JsonNode v : versions) if (v.path("current_stage").asText().equals("Staging")) out.add(v.path("version").asText());
        return out;
    }

    @Test
    void postgresStoppedMidLoadGives503ThenRecoversWithNothingHalfWritten() throws Exception {
        String exp = newExperiment(a.url(), "outage");
        String[] runIds = {newRun(a.url(), exp).path("run_id").asText(), newRun(b.url(), exp).path("run_id").asText()};
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>(); // "run/step" -> HTTP status
        List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger okAfterRestart = new AtomicInteger();
        AtomicBoolean restarted = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<?>> loaders = new ArrayList<>();
        try {
            for (int t = 0; t < 2; t++) {
                int loader = t;
                loaders.add(pool.submit(() -> {
                    for (int step = 0; running.get(); step++) {
                        Reply r;
                        try {
                            r = Api.post(replica(loader + step), "mlflow/runs/log-batch", batch(runIds[loader], step));
                        } catch (RuntimeException e) {
                            unexpected.add("step " + step + ": " + e);
                            continue;
                        }
                        acknowledged.put(runIds[loader] + "/" + step, r.status());
                        if (r.status() == 503 && "TEMPORARILY_UNAVAILABLE".equals(r.errorCode())) {
                            unavailable.incrementAndGet();
                        } else if (r.status() == 200) {
                            if (restarted.get()) okAfterRestart.incrementAndGet();
                        } else {
                            unexpected.add("step " + step + ": HTTP " + r.status() + " " + r.body());
                        }
                    }
                    return null;
                }));
            }
            waitFor(() -> acknowledged.size() >= 10);
            infra.stopPostgres();
            waitFor(() -> unavailable.get() >= 4);
            // while it is down, reads fail the same way
            Reply read = Api.get(b.url(), "mlflow/runs/get", Map.of("run_id", runIds[0]));
            assertThat(read.status()).isEqualTo(503);
            assertThat(read.errorCode()).isEqualTo("TEMPORARILY_UNAVAILABLE");
            assertThat(read.body().path("message").asText()).contains("database");
            infra.startPostgres();
            restarted.set(true);
            waitFor(() -> okAfterRestart.get() >= 10);
        } finally {
            running.set(false);
            for (Future<?> f : loaders) f.get();
            pool.shutdownNow();
        }
        assertThat(unexpected).isEmpty();
        for (String runId : runIds) {
            Set<Long> loss = steps(a.url(), runId, "loss");
            Set<Long> acc = steps(b.url(), runId, "acc");
            assertThat(acc).as("a batch is written whole or not at all").isEqualTo(loss);
            for (var e : acknowledged.entrySet()) {
                if (!e.getKey().startsWith(runId + "/") || e.getValue() != 200) continue;
                long step = Long.parseLong(e.getKey().substring(runId.length() + 1));
                assertThat(loss).as("acknowledged step %s is stored", step).contains(step);
            }
        }
    }

    @Test
    void anUnreachableS3EndpointIsAClearErrorAndLeavesNoMetadataPointingAtMissingBytes() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        String endpoint = System.getProperty(S3Clients.ENDPOINT_PROPERTY);
        MlvServer c;
        System.setProperty(S3Clients.ENDPOINT_PROPERTY, "http://127.0.0.1:" + deadPort);
        try {
            c = infra.startReplica("unreachable-s3");
        } finally {
            System.setProperty(S3Clients.ENDPOINT_PROPERTY, endpoint);
        }
        try {
            String exp = newExperiment(c.url(), "no-s3");
            JsonNode run = newRun(c.url(), exp);
            String storePath = run.path("artifact_uri").asText().substring("mlflow-artifacts:/".length());
            Reply put = Api.putArtifact(c.url(), storePath + "/model/model.bin",
                    () -> new ByteArrayInputStream(new byte[1024]));
            assertThat(put.status()).isEqualTo(503);
            assertThat(put.errorCode()).isEqualTo("TEMPORARILY_UNAVAILABLE");
            assertThat(put.body().path("message").asText()).contains("S3 endpoint unreachable").contains("s3://mlv/artifacts");

            String model = "no-bytes-" + System.nanoTime();
            Api.post(c.url(), "mlflow/registered-models/create", Map.of("name", model)).ok();
            Reply version = Api.post(c.url(), "mlflow/model-versions/create", Map.of("name", model,
                    "source", "mlflow-artifacts:/" + storePath + "/model", "run_id", run.path("run_id").asText()));
            assertThat(version.status()).isEqualTo(503);
            assertThat(version.errorCode()).isEqualTo("TEMPORARILY_UNAVAILABLE");
            for (MlvServer r : List.of(a, c)) {
                JsonNode versions = Api.get(r.url(), "mlflow/model-versions/search",
                        Map.of("filter", "name='" + model + "'")).ok().body().path("model_versions");
                assertThat(versions.isMissingNode() || versions.isEmpty()).as(versions.toString()).isTrue();
            }
            assertThat(Api.get(a.url(), "mlv/audit/verify", Map.of()).ok().body().path("valid").asBoolean()).isTrue();
        } finally {
            c.close();
        }
    }

    /**
     * MLflow's proxied multipart upload: one replica starts it, the client sends the parts straight to S3 on the
     * presigned URLs, the other replica completes it; an upload aborted on one is gone on the other.
     */
    @Test
    void aMultipartUploadStartedOnOneReplicaCompletesOnTheOtherWithPartsSentStraightToS3() throws Exception {
        JsonNode run = newRun(a.url(), newExperiment(a.url(), "mpu"));
        String dir = run.path("artifact_uri").asText().substring("mlflow-artifacts:/".length()) + "/checkpoints";
        byte[] first = new byte[5 << 20]; // S3's smallest part but the last
        ThreadLocalRandom.current().nextBytes(first);
        byte[] last = "the last part".getBytes(StandardCharsets.UTF_8);
        String local = "/home/me/out/model.bin"; // MLflow's client sends its local path; the file takes its name

        JsonNode created = Api.post(a.url(), "mlflow-artifacts/mpu/create/" + dir, Map.of("path", local, "num_parts", 2)).ok().body();
        JsonNode credentials = created.path("credentials");
        assertThat(credentials).hasSize(2);
        List<Map<String, Object>> parts = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            assertThat(credentials.get(i).path("part_number").asInt()).isEqualTo(i + 1);
            parts.add(Map.of("part_number", i + 1, "etag", sendPart(credentials.get(i), i == 0 ? first : last)));
        }
        assertThat(Api.getArtifact(a.url(), dir + "/model.bin").statusCode()).as("nothing before completion").isEqualTo(404);
        Api.post(b.url(), "mlflow-artifacts/mpu/complete/" + dir, Map.of("path", local,
                "upload_id", created.path("upload_id").asText(), "parts", parts)).ok();

        var download = Api.getArtifact(b.url(), dir + "/model.bin");
        assertThat(download.statusCode()).isEqualTo(200);
        byte[] whole = new byte[first.length + last.length];
        System.arraycopy(first, 0, whole, 0, first.length);
        System.arraycopy(last, 0, whole, first.length, last.length);
        try (var in = download.body()) {
            assertThat(in.readAllBytes()).isEqualTo(whole);
        }
        var folder = Api.getArtifact(a.url(), dir);
        assertThat(folder.statusCode()).as("a folder is listed, not downloaded").isEqualTo(400);
        try (var in = folder.body()) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("is a directory");
        }

        JsonNode dropped = Api.post(b.url(), "mlflow-artifacts/mpu/create/" + dir, Map.of("path", "dropped.bin", "num_parts", 1)).ok().body();
        String etag = sendPart(dropped.path("credentials").get(0), last);
        Map<String, Object> abort = Map.of("path", "dropped.bin", "upload_id", dropped.path("upload_id").asText());
        Api.post(a.url(), "mlflow-artifacts/mpu/abort/" + dir, abort).ok();
        Reply late = Api.post(b.url(), "mlflow-artifacts/mpu/complete/" + dir, Map.of("path", "dropped.bin",
                "upload_id", dropped.path("upload_id").asText(), "parts", List.of(Map.of("part_number", 1, "etag", etag))));
        assertThat(late.status()).as(late.body().toString()).isEqualTo(404);
        assertThat(late.body().path("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        JsonNode listed = Api.get(a.url(), "mlflow-artifacts/artifacts", Map.of("path", dir)).ok().body();
        assertThat(listed.path("files").findValuesAsText("path")).containsExactly("model.bin");
    }

    /** A part sent as MLflow's client sends it: a PUT of its bytes to the presigned URL with the given headers. */
    private static String sendPart(JsonNode credential, byte[] bytes) throws Exception {
        var put = java.net.http.HttpRequest.newBuilder(java.net.URI.create(credential.path("url").asText()))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes));
        credential.path("headers").fields().forEachRemaining(h -> put.header(h.getKey(), h.getValue().asText()));
        var answer = java.net.http.HttpClient.newHttpClient().send(put.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.headers().firstValue("ETag").orElseThrow();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition not reached in 90 s");
            Thread.sleep(20);
        }
    }
}
