package dev.mlv.server.replicas;

import dev.mlv.artifacts.DeterministicStream;
import dev.mlv.s3.S3ProxyFixture;
import dev.mlv.server.replicas.Api.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1 GiB artifact up and down through a server whose heap is capped at 256 MiB, stored in S3 (s3proxy): the bytes
 * stream through in both directions and come back identical. Sent chunked (length unknown) the upload is a multipart
 * upload; sent with a {@code Content-Length} it is one streaming {@code PutObject} (its ETag is the MD5 of the bytes).
 */
class LargeArtifactTest {
    private static final long SIZE = 1L << 30;
    private static final String BUCKET = "big";

    @TempDir
    Path dir;

    @Test
    void oneGibibyteRoundTripsThroughALowHeapServerToS3() throws Exception {
        try (S3ProxyFixture s3 = S3ProxyFixture.start(dir.resolve("s3"))) {
            s3.createBucket(BUCKET);
            Process server = startServer(s3);
            try {
                String url = awaitUrl(server);
                String path = "0/run/artifacts/checkpoints/model.bin";

                long t0 = System.nanoTime();
                MessageDigest sent = MessageDigest.getInstance("SHA-256");
                Reply put = Api.putArtifact(url, path, () -> new DeterministicStream(SIZE, 7, sent));
                assertThat(put.status()).as(put.body().toString()).isEqualTo(200);
                String sentDigest = HexFormat.of().formatHex(sent.digest());
                long t1 = System.nanoTime();

                try (S3Client client = s3.client()) {
                    assertThat(client.headObject(b -> b.bucket(BUCKET).key("artifacts/" + path)).contentLength()).isEqualTo(SIZE);
                    assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
                }

                HttpResponse<InputStream> get = Api.getArtifact(url, path);
                assertThat(get.statusCode()).isEqualTo(200);
                MessageDigest received = MessageDigest.getInstance("SHA-256");
                long n = 0;
                try (InputStream in = get.body()) {
                    byte[] buf = new byte[1 << 16];
                    for (int r; (r = in.read(buf)) > 0; n += r) received.update(buf, 0, r);
                }
                System.out.printf("1 GiB through a -Xmx256m server to S3: upload %.1f s, download %.1f s%n",
                        (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
                assertThat(n).isEqualTo(SIZE);
                assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sentDigest);

                // the same size with a Content-Length: one streaming PutObject, no part buffers either
                MessageDigest md5 = MessageDigest.getInstance("MD5");
                Reply known = Api.putArtifact(url, "0/run/artifacts/known-length.bin", () -> new DeterministicStream(SIZE, 7, md5), SIZE);
                assertThat(known.status()).as(known.body().toString()).isEqualTo(200);
                try (S3Client client = s3.client()) {
                    var head = client.headObject(b -> b.bucket(BUCKET).key("artifacts/0/run/artifacts/known-length.bin"));
                    assertThat(head.contentLength()).isEqualTo(SIZE);
                    assertThat(head.eTag().replace("\"", "")).isEqualTo(HexFormat.of().formatHex(md5.digest()));
                }

                assertThat(Api.post(url, "mlflow/experiments/search", java.util.Map.of("max_results", 1)).status()).isEqualTo(200);
                java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url + "/api/2.0/mlflow-artifacts/artifacts/0")).DELETE().build(),
                        HttpResponse.BodyHandlers.discarding());
            } finally {
                server.getOutputStream().close();
                if (!server.waitFor(30, TimeUnit.SECONDS)) server.destroyForcibly();
            }
            assertThat(server.exitValue()).as("the server JVM ends normally (no OutOfMemoryError)").isZero();
        }
    }

    private Process startServer(S3ProxyFixture s3) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), ReplicaServerMain.class.getName(),
                dir.resolve("home").toString(), "sqlite:///" + dir.resolve("home/mlv.db"), "s3://" + BUCKET + "/artifacts");
        pb.environment().put("MLV_S3_ENDPOINT_URL", s3.endpoint().toString());
        pb.environment().put("AWS_ACCESS_KEY_ID", S3ProxyFixture.ACCESS_KEY);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyFixture.SECRET_KEY);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.redirectError(dir.resolve("server.log").toFile());
        return pb.start();
    }

    private String awaitUrl(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("LISTENING ")) return line.substring("LISTENING ".length()).trim();
        }
        throw new AssertionError("the server exited before listening: " + java.nio.file.Files.readString(dir.resolve("server.log")));
    }
}
