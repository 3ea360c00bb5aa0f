package dev.mlv.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start on a fresh home, health, and a graceful close that lets a request in flight finish. */
class MlvServerLifecycleTest {

    @Test
    void startsOnAFreshHomeAndAnswersHealthAndVersion(@TempDir Path home) throws Exception {
        long t0 = System.nanoTime();
        try (MlvServer server = MlvServer.start(ServerConfig.forHome(home.resolve("fresh")).withPort(0))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println("mlv server: start to first /health on a fresh home: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("OK");
            assertThat(server.port()).isPositive();
            assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
            assertThat(Files.exists(home.resolve("fresh/mlv.db"))).isTrue();
            assertThat(Files.isDirectory(home.resolve("fresh/artifacts"))).isTrue();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "/version")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).isEqualTo(MlvServer.VERSION);
        }
    }

    @Test
    void aServerThatCannotStartLeavesNoThreadBehind(@TempDir Path home) throws Exception {
        long before = pollers();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> MlvServer.start(ServerConfig.forHome(home).withPort(taken.getLocalPort())))
                    .isInstanceOf(RuntimeException.class);
        }
        for (int i = 0; i < 50 && pollers() > before; i++) sleep(100);
        assertThat(pollers()).as("webhook pollers alive").isEqualTo(before);
    }

    private static long pollers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().equals("mlv-webhook-poller")).count();
    }

    @Test
    void closeLetsARequestInFlightFinish(@TempDir Path home) throws Exception {
        MlvServer server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CountDownLatch sending = new CountDownLatch(1);
        int chunks = 12;
        int chunk = 64 * 1024;
        InputStream slowBody = new InputStream() {
            private int sent;
            private int posInChunk;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == chunks) return -1;
                if (posInChunk == 0) {
                    sending.countDown();
                    sleep(100);
                }
                int n = Math.min(len, chunk - posInChunk);
                java.util.Arrays.fill(b, off, off + n, (byte) 'z');
                posInChunk += n;
                if (posInChunk == chunk) {
                    posInChunk = 0;
                    sent++;
                }
                return n;
            }
        };
        CompletableFuture<HttpResponse<String>> upload = http.sendAsync(
                HttpRequest.newBuilder(URI.create(server.url() + "/api/2.0/mlflow-artifacts/artifacts/slow/upload.bin"))
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> slowBody),
                                (long) chunks * chunk)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
        sleep(300); // the request has reached the server and is mid-body

        String url = server.url();
        long closing = System.nanoTime();
        server.close(); // must wait for the upload rather than cut it off
        System.out.println("mlv server: close() took " + (System.nanoTime() - closing) / 1_000_000 + " ms");

        HttpResponse<String> response = upload.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(Files.size(home.resolve("artifacts/slow/upload.bin"))).isEqualTo((long) chunks * chunk);
        System.out.println("mlv server: upload answered " + (System.nanoTime() - closing) / 1_000_000 + " ms after close() began");
        try (java.net.Socket probe = new java.net.Socket()) {
            assertThatThrownBy(() -> probe.connect(new java.net.InetSocketAddress("127.0.0.1", URI.create(url).getPort()), 2000))
                    .as("no longer accepting connections").isInstanceOf(ConnectException.class);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
