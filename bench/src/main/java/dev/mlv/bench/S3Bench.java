package dev.mlv.bench;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.client.ActiveRun;
import dev.mlv.client.MlvClient;
import dev.mlv.s3.S3ArtifactStore;
import dev.mlv.s3.S3Clients;
import dev.mlv.s3.S3Location;
import dev.mlv.s3.S3ProxyFixture;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Artifact throughput through the server to S3 against the AWS SDK talking to the same S3 endpoint directly.
 *
 * <p>An in-process s3proxy (objects as files under {@code bench.dir}) is the S3 endpoint; an in-process
 * {@link MlvServer} stores artifacts at {@code s3://bench/artifacts} on it (SQLite metadata). Each round uploads and
 * downloads one file of {@code bench.mib} MiB (default 256) four ways, interleaved: {@code PUT} and {@code GET} of
 * {@code /api/2.0/mlflow-artifacts/artifacts/…} with {@link HttpURLConnection} (fixed length, so the server sends one
 * streaming {@code PutObject} to S3), and
 * {@code PutObject} / {@code GetObject} with the AWS SDK v2 straight to s3proxy (the baseline). Bytes are generated and
 * consumed on the fly; nothing is held in memory. For context it also times {@link S3ArtifactStore#put} straight to
 * S3 without the HTTP hop, with the length (one {@code PutObject}) and without it (multipart upload), the Java
 * client's download through the server, and its proxied multipart upload of a file of that size (parts straight to S3 on presigned URLs). Prints MiB/s of each (median of {@code bench.rounds}, default 5,
 * after one warm-up round) and the ratio server / direct (goal ≥ 0.8).
 */
public final class S3Bench {
    private static final byte[] BLOCK = new byte[1 << 20];

    static {
        new Random(1).nextBytes(BLOCK);
    }

    private S3Bench() {
    }

    public static void main(String[] args) throws Exception {
        int mib = Integer.getInteger("bench.mib", 256);
        int rounds = Integer.getInteger("bench.rounds", 5);
        long size = (long) mib << 20;
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath().resolve("s3");
        deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "S3 artifact benchmark: %d MiB per transfer, %d rounds (+1 warm-up), s3proxy under %s%n",
                mib, rounds, dir);
        try (S3ProxyFixture s3 = S3ProxyFixture.start(dir.resolve("s3proxy"))) {
            s3.createBucket("bench");
            System.setProperty(S3Clients.ENDPOINT_PROPERTY, s3.endpoint().toString());
            System.setProperty("aws.accessKeyId", S3ProxyFixture.ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", S3ProxyFixture.SECRET_KEY);
            System.setProperty("aws.region", "us-east-1");
            ServerConfig config = new ServerConfig("127.0.0.1", 0, dir.resolve("home"),
                    "sqlite:///" + dir.resolve("home/mlv.db"), "s3://bench/artifacts");
            try (MlvServer server = MlvServer.start(config); S3Client direct = s3.client()) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(10)).build();
                String artifacts = server.url() + "/api/2.0/mlflow-artifacts/artifacts/";
                List<Double> serverUp = new ArrayList<>(), serverDown = new ArrayList<>();
                List<Double> directUp = new ArrayList<>(), directDown = new ArrayList<>(), storeUp = new ArrayList<>();
                List<Double> storeMultipart = new ArrayList<>();
                S3ArtifactStore store = new S3ArtifactStore(direct, S3Location.parse("s3://bench/store"),
                        S3ArtifactStore.DEFAULT_PART_SIZE, false);
                // the Java client's multipart upload: parts of 8 MiB straight to S3 on presigned URLs, 4 at a time
                MlvClient client = MlvClient.connect(server.url()).captureEnvironment(false).multipartUploads(0, 8 << 20);
                Path local = dir.resolve("local.bin");
                try (var in = new Generated(size)) {
                    Files.copy(in, local);
                }
                List<Double> clientMultipart = new ArrayList<>();
                List<Double> presignedDown = new ArrayList<>();
                List<Double> clientDown = new ArrayList<>();
                ActiveRun run = client.startRun("s3-bench");
                for (int round = 0; round <= rounds; round++) {
                    boolean warmup = round == 0;
                    recording = !warmup;
                    String key = "direct/blob-" + round;
                    String path = "0/run" + round + "/artifacts/blob.bin";
                    // alternate which path goes first so neither always gets a warmer page cache
                    for (int order = 0; order < 2; order++) {
                        if ((order + round) % 2 == 0) {
                            double up = rate("upload   server", size, () -> {
                                HttpURLConnection c = open(artifacts + path, "PUT");
                                c.setDoOutput(true);
                                c.setFixedLengthStreamingMode(size);
                                try (var out = c.getOutputStream(); var in = new Generated(size)) {
                                    in.transferTo(out);
                                }
                                if (c.getResponseCode() != 200) throw new IllegalStateException("upload: HTTP " + c.getResponseCode());
                                c.getInputStream().readAllBytes();
                            });
                            double down = rate("download server", size, () -> {
                                HttpURLConnection c = open(artifacts + path, "GET");
                                if (c.getResponseCode() != 200) throw new IllegalStateException("download: HTTP " + c.getResponseCode());
                                drain(c.getInputStream(), size);
                            });
                            double viaClient = rate(size, () -> drain(client.rest().openStream(
                                    "/api/2.0/mlflow-artifacts/artifacts/" + path), size));
                            if (!warmup) {
                                serverUp.add(up);
                                serverDown.add(down);
                                clientDown.add(viaClient);
                            }
                        } else {
                            double up = rate("upload   direct", size, () -> direct.putObject(b -> b.bucket("bench").key(key).contentLength(size),
                                    RequestBody.fromContentProvider(() -> new Generated(size), size, "application/octet-stream")));
                            double down = rate("download direct", size, () -> drain(direct.getObject(b -> b.bucket("bench").key(key)), size));
                            if (!warmup) {
                                directUp.add(up);
                                directDown.add(down);
                            }
                        }
                    }
                    String folder = "multipart-" + round;
                    double viaClientParts = rate(size, () -> run.logArtifact(local, folder));
                    double viaPresigned = rate(size, () -> {
                        var url = client.rest().post("/api/2.0/mlflow/artifacts/presigned-download-url",
                                java.util.Map.of("run_id", run.runId(), "path", folder + "/local.bin"));
                        HttpURLConnection c = (HttpURLConnection) URI.create(url.path("presigned_url").asText()).toURL().openConnection();
                        if (c.getResponseCode() != 200) throw new IllegalStateException("presigned download: HTTP " + c.getResponseCode());
                        drain(c.getInputStream(), size);
                    });
                    double viaStore = rate(size, () -> store.put(ArtifactPath.parse("blob-" + warmup), new Generated(size), size));
                    double viaMultipart = rate(size, () -> store.put(ArtifactPath.parse("blob-" + warmup), new Generated(size)));
                    if (!warmup) {
                        clientMultipart.add(viaClientParts);
                        presignedDown.add(viaPresigned);
                        storeUp.add(viaStore);
                        storeMultipart.add(viaMultipart);
                    }
                    direct.deleteObject(b -> b.bucket("bench").key(key));
                    http.send(HttpRequest.newBuilder(URI.create(artifacts + path)).DELETE().build(),
                            HttpResponse.BodyHandlers.discarding());
                }
                report("upload", median(serverUp), median(directUp));
                report("download", median(serverDown), median(directDown));
                StringBuilder cpu = new StringBuilder("CPU time of the whole process (client, server, s3proxy) per MiB, median:");
                CPU.forEach((kind, ms) -> cpu.append(String.format(Locale.ROOT, "%n  %-16s %6.2f ms/MiB", kind, median(ms))));
                System.out.println(cpu);
                System.out.printf(Locale.ROOT, "context: S3ArtifactStore.put straight to S3, no HTTP hop: known length (one "
                        + "PutObject) %.1f MiB/s, unknown length (multipart) %.1f MiB/s%n", median(storeUp), median(storeMultipart));
                System.out.printf(Locale.ROOT, "context: the Java client's multipart upload (mpu/create, 8 MiB parts straight "
                        + "to S3 on presigned URLs, mpu/complete) of the same size from a file: %.1f MiB/s%n", median(clientMultipart));
                System.out.printf(Locale.ROOT, "context: the Java client's download through the server (RestClient.openStream, "
                        + "as the client, the data remote and the scoring server download): %.1f MiB/s, %.2f of the SDK's%n",
                        median(clientDown), median(clientDown) / median(directDown));
                System.out.printf(Locale.ROOT, "context: download on MLflow's presigned URL (POST artifacts/presigned-download-url, "
                        + "then GET straight from S3; the bytes skip the server): %.1f MiB/s, %.2f of the SDK's%n",
                        median(presignedDown), median(presignedDown) / median(directDown));
                run.close();
            }
        } finally {
            System.clearProperty(S3Clients.ENDPOINT_PROPERTY);
            deleteTree(dir);
        }
    }

    private static HttpURLConnection open(String url, String method) throws java.io.IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setRequestMethod(method);
        c.setConnectTimeout(10_000);
        c.setReadTimeout(300_000);
        return c;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void report(String what, double server, double direct) {
        System.out.printf(Locale.ROOT, "%-8s  server -> S3: %7.1f MiB/s   SDK -> S3 directly: %7.1f MiB/s   ratio %.2f (goal >= 0.8)%n",
                what, server, direct, server / direct);
    }

    private interface Transfer {
        void run() throws Exception;
    }

    /** CPU milliseconds per MiB of every measured transfer, by kind (the whole process: client, server, s3proxy). */
    private static final java.util.Map<String, List<Double>> CPU = new java.util.TreeMap<>();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static boolean recording;

    private static double rate(long size, Transfer t) throws Exception {
        return rate(null, size, t);
    }

    /** MiB/s of one transfer; with a {@code kind} (and outside the warm-up) also records its CPU time per MiB. */
    private static double rate(String kind, long size, Transfer t) throws Exception {
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        t.run();
        long elapsed = System.nanoTime() - start;
        if (kind != null && recording) {
            CPU.computeIfAbsent(kind, k -> new ArrayList<>()).add((OS.getProcessCpuTime() - cpu) / 1e6 / (size / 1048576.0));
        }
        return (size / 1048576.0) / (elapsed / 1e9);
    }

    private static void drain(InputStream in, long expected) throws Exception {
        long n = 0;
        try (in) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) n += r;
        }
        if (n != expected) throw new IllegalStateException("read " + n + " bytes, expected " + expected);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /**
     * {@code size} bytes made on the fly from a 1 MiB random block: a plain array copy, so the transfer is measured
     * and not the generator (the tests' {@code DeterministicStream} runs a PRNG over every byte).
     */
    private static final class Generated extends InputStream {
        private final long size;
        private long pos;

        Generated(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) return -1;
            int inBlock = (int) (pos % BLOCK.length);
            int n = (int) Math.min(Math.min(len, size - pos), BLOCK.length - inBlock);
            System.arraycopy(BLOCK, inBlock, b, off, n);
            pos += n;
            return n;
        }
    }
}
