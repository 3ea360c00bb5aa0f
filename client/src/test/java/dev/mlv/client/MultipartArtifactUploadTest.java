package dev.mlv.client;

import dev.mlv.artifacts.FileInfo;
import dev.mlv.data.Progress;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.s3.S3ProxyFixture;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Artifact bytes that go straight between the client and S3 (s3proxy), the server only signing: MLflow's proxied
 * multipart upload (the parts go to the bucket and the object is whole; on a server storing local files the client
 * falls back to a PUT) and MLflow's presigned download and upload URLs.
 */
class MultipartArtifactUploadTest {
    private static final long PART = 5 << 20;
    @TempDir
    static Path tmp;
    static S3ProxyFixture s3;
    static S3Client bucket;
    static MlvServer onS3;
    static MlvServer onFiles;

    @BeforeAll
    static void start() {
        s3 = S3ProxyFixture.start(tmp.resolve("s3"));
        s3.createBucket("mpu");
        bucket = s3.client();
        s3.useAsDefault();
        onS3 = MlvServer.start(new ServerConfig("127.0.0.1", 0, tmp.resolve("home-s3"), null, "s3://mpu/artifacts"));
        onFiles = MlvServer.start(new ServerConfig("127.0.0.1", 0, tmp.resolve("home-files"), null, null));
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {onS3, onFiles, bucket, s3}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
        S3ProxyFixture.clearDefaults();
    }

    static Path file(String name, long size) throws Exception {
        byte[] bytes = new byte[(int) size];
        new Random(size).nextBytes(bytes);
        return Files.write(tmp.resolve(name), bytes);
    }

    static byte[] download(MlvClient client, ActiveRun run, String path) throws Exception {
        String root = run.artifactUri().substring("mlflow-artifacts:".length()).replaceFirst("^/+", "");
        try (InputStream in = client.rest().openStream("/api/2.0/mlflow-artifacts/artifacts/" + root + "/" + path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void largeFilesGoToS3InPartsAndSmallOnesThroughTheServer() throws Exception {
        MlvClient client = MlvClient.connect(onS3.url()).captureEnvironment(false).multipartUploads(6 << 20, PART);
        Path big = file("weights.bin", 2 * PART + 17); // three parts, the last one small
        Path small = file("config.bin", 1000);
        try (ActiveRun run = client.startRun("mpu")) {
            run.logArtifact(big, "checkpoints");
            run.logArtifact(small, "checkpoints");
            assertThat(download(client, run, "checkpoints/weights.bin")).isEqualTo(Files.readAllBytes(big));
            assertThat(download(client, run, "checkpoints/config.bin")).isEqualTo(Files.readAllBytes(small));

            String prefix = "artifacts/" + run.artifactUri().substring("mlflow-artifacts:/".length()) + "/checkpoints/";
            // S3 names a multipart object's ETag after its part count
            assertThat(bucket.headObject(b -> b.bucket("mpu").key(prefix + "weights.bin")).eTag()).endsWith("-3\"");
            assertThat(bucket.headObject(b -> b.bucket("mpu").key(prefix + "config.bin")).eTag()).doesNotContain("-");
            assertThat(bucket.listMultipartUploads(b -> b.bucket("mpu")).uploads()).isEmpty();
        }
    }

    @Test
    void aServerOnLocalFilesGetsAPlainUpload() throws Exception {
        MlvClient client = MlvClient.connect(onFiles.url()).captureEnvironment(false).multipartUploads(1, PART);
        Path big = file("model.onnx", PART + 1);
        try (ActiveRun run = client.startRun("mpu-fallback")) {
            run.logArtifact(big);
            assertThat(download(client, run, "model.onnx")).isEqualTo(Files.readAllBytes(big));
        }
    }

    /** An HTTP request straight to a presigned URL, with the headers the server said to send; the response code and body. */
    static Map.Entry<Integer, byte[]> straight(String method, com.fasterxml.jackson.databind.JsonNode presigned, byte[] body) throws Exception {
        java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(presigned.path("presigned_url").asText())
                .toURL().openConnection();
        c.setRequestMethod(method);
        presigned.path("headers").fields().forEachRemaining(h -> c.setRequestProperty(h.getKey(), h.getValue().asText()));
        if (body != null) {
            c.setDoOutput(true);
            try (var out = c.getOutputStream()) {
                out.write(body);
            }
        }
        int code = c.getResponseCode();
        try (InputStream in = code < 400 ? c.getInputStream() : c.getErrorStream()) {
            return Map.entry(code, in == null ? new byte[0] : in.readAllBytes());
        }
    }

    @Test
    void presignedUrlsReadAndWriteARunsArtifactsStraightInS3() throws Exception {
        MlvClient client = MlvClient.connect(onS3.url()).captureEnvironment(false);
        Path data = file("presigned.bin", 300_000);
        try (ActiveRun run = client.startRun("presigned")) {
            run.logArtifact(data, "inputs");
            var down = client.rest().post("/api/2.0/mlflow/artifacts/presigned-download-url",
                    Map.of("run_id", run.runId(), "path", "inputs/presigned.bin"));
            assertThat(down.path("file_size").asLong()).isEqualTo(300_000);
            assertThat(down.path("presigned_url").asText()).startsWith(s3.endpoint().toString()).contains("X-Amz-Expires=300");
            var got = straight("GET", down, null);
            assertThat(got.getKey()).isEqualTo(200);
            assertThat(got.getValue()).isEqualTo(Files.readAllBytes(data));

            var up = client.rest().post("/api/2.0/mlflow/artifacts/presigned-upload-url",
                    Map.of("run_id", run.runId(), "path", "outputs/model.onnx", "expiration", 60));
            assertThat(up.path("presigned_url").asText()).contains("X-Amz-Expires=60");
            assertThat(straight("PUT", up, "onnx bytes".getBytes()).getKey()).isEqualTo(200);
            assertThat(download(client, run, "outputs/model.onnx")).isEqualTo("onnx bytes".getBytes());
            assertThat(client.listArtifacts(run.runId(), "outputs")).extracting(FileInfo::path).containsExactly("outputs/model.onnx");

            // a logged model's files (MLflow 3) too
            var model = client.rest().post("/api/2.0/mlflow/logged-models", Map.of("experiment_id", run.experimentId(), "name", "m"))
                    .path("model").path("info");
            var toModel = client.rest().post("/api/2.0/mlflow/artifacts/presigned-upload-url",
                    Map.of("model_id", model.path("model_id").asText(), "path", "MLmodel"));
            assertThat(straight("PUT", toModel, "flavors: {}".getBytes()).getKey()).isEqualTo(200);
            assertThat(client.rest().get("/api/2.0/mlflow/logged-models/" + model.path("model_id").asText() + "/artifacts/directories",
                    Map.of()).path("files").get(0).path("path").asText()).isEqualTo("MLmodel");

            // refused with MLflow's errors, and nothing signed: a missing file, a folder, a path out of the run, both or
            // neither owner, an expiration out of range
            for (var bad : List.<Map.Entry<Map<String, Object>, ErrorCode>>of(
                    Map.entry(Map.of("run_id", run.runId(), "path", "inputs/none.bin"), ErrorCode.RESOURCE_DOES_NOT_EXIST),
                    Map.entry(Map.of("run_id", run.runId(), "path", "inputs"), ErrorCode.INVALID_PARAMETER_VALUE),
                    Map.entry(Map.of("run_id", run.runId(), "path", "../../other/artifacts/x"), ErrorCode.INVALID_PARAMETER_VALUE),
                    Map.entry(Map.of("run_id", run.runId(), "path", "inputs/presigned.bin", "expiration", 0), ErrorCode.INVALID_PARAMETER_VALUE),
                    Map.entry(Map.of("run_id", "nope", "path", "x"), ErrorCode.RESOURCE_DOES_NOT_EXIST))) {
                assertThatThrownBy(() -> client.rest().post("/api/2.0/mlflow/artifacts/presigned-download-url", bad.getKey()))
                        .as("%s", bad.getKey()).isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(bad.getValue()));
            }
            for (var body : List.<Map<String, Object>>of(Map.of("path", "x"), Map.of("run_id", run.runId(), "model_id", "m", "path", "x"),
                    Map.of("run_id", run.runId(), "path", "a/%2e%2e/%2e%2e/b"), Map.of("run_id", run.runId(), "path", "/etc/passwd"))) {
                assertThatThrownBy(() -> client.rest().post("/api/2.0/mlflow/artifacts/presigned-upload-url", body))
                        .as("%s", body).isInstanceOfSatisfying(MlvException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
            }
        }
    }

    @Test
    void aServerOnLocalFilesHasNoPresignedUrls() throws Exception {
        MlvClient client = MlvClient.connect(onFiles.url()).captureEnvironment(false);
        try (ActiveRun run = client.startRun("presigned-files")) {
            run.logText("x", "a.txt");
            assertThatThrownBy(() -> client.rest().post("/api/2.0/mlflow/artifacts/presigned-download-url",
                    Map.of("run_id", run.runId(), "path", "a.txt"))).isInstanceOfSatisfying(MlvException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.NOT_IMPLEMENTED);
                assertThat(e.getMessage()).contains("download with GET /api/2.0/mlflow-artifacts/artifacts/<path>");
            });
        }
    }

    /** Progress that records each task's total and the units it was advanced by (from any thread). */
    static final class RecordedProgress implements Progress {
        final List<Long> totals = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.atomic.AtomicLong advanced = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void message(String line) {
        }

        @Override
        public Task start(String name, long total, boolean bytes) {
            assertThat(bytes).isTrue();
            totals.add(total);
            return new Task() {
                @Override
                public void advance(long units) {
                    advanced.addAndGet(units);
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @Test
    void uploadsReportEveryByteSentInPartsOrWhole() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("progress"));
        Files.write(dir.resolve("weights.bin"), Files.readAllBytes(file("w.bin", 2 * PART + 5)));
        Files.write(dir.resolve("config.bin"), Files.readAllBytes(file("c.bin", 1000)));
        long total = 2 * PART + 5 + 1000;
        for (var server : List.of(onS3, onFiles)) {
            MlvClient client = MlvClient.connect(server.url()).captureEnvironment(false).multipartUploads(6 << 20, PART);
            String runId = client.run("mpu-progress", run -> { });
            RecordedProgress progress = new RecordedProgress();
            client.logArtifacts(runId, dir, "ckpt", progress);
            assertThat(progress.totals).containsExactly(total);
            assertThat(progress.advanced.get()).isEqualTo(total);
            Path back = client.downloadArtifacts(runId, "ckpt", tmp.resolve("back-" + server.port()));
            assertThat(back.resolve("weights.bin")).hasSameBinaryContentAs(dir.resolve("weights.bin"));
            assertThat(back.resolve("config.bin")).hasSameBinaryContentAs(dir.resolve("config.bin"));
        }
    }

    @Test
    void settingsAreReadAsMlflowReadsThem() {
        var off = ArtifactUploader.Settings.fromEnvironment(name -> null);
        assertThat(off).isEqualTo(new ArtifactUploader.Settings(false, 500L << 20, 10L << 20));
        var on = ArtifactUploader.Settings.fromEnvironment(Map.of("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "True",
                "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1048576", "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", "5242880")::get);
        assertThat(on).isEqualTo(new ArtifactUploader.Settings(true, 1 << 20, 5 << 20));
    }
}
