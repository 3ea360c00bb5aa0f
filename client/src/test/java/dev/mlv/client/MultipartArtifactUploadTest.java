package dev.mlv.client;

import dev.mlv.data.Progress;
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

/**
 * Artifact files through MLflow's proxied multipart upload: on a server storing artifacts in S3 (s3proxy) the parts
 * go straight to the bucket and the object is whole; on a server storing local files the client falls back to a PUT.
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
