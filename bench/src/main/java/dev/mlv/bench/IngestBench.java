package dev.mlv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest benchmark: {@code bench.threads} concurrent clients (default 20) each create a run and send
 * {@code runs/log-batch} requests of {@code bench.batch} metrics (default 500) over HTTP for {@code bench.seconds}
 * (default 30) to an in-process {@link MlvServer} on a fresh database, each over its own keep-alive HTTP/1.1
 * connection ({@link RawHttpClient}: a lean load generator, since here clients share the server's cores).
 * The same number of metrics then goes through {@code TrackingStore.logBatch} from as many threads (no HTTP). Then, in the same run, the same number of
 * rows is inserted into the {@code metrics} table of the same file with raw JDBC batches of the same size (one
 * transaction per batch, the server's SQLite settings). Prints metrics/s of both and the ratio REST / raw JDBC, and
 * checks that every metric sent is in the database.
 *
 * <p>{@code -Dbench.backends=sqlite,postgresql} (the default) runs all of it on a SQLite file, then on an embedded
 * PostgreSQL ({@link BenchBackends.Postgres}), each against its own raw JDBC baseline, and prints both side by side.
 */
public final class IngestBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Metric values as JSON text, computed once so the load generator spends its CPU on requests, not on dtoa. */
    private static final String[] VALUES = java.util.stream.IntStream.range(0, 1009)
            .mapToObj(i -> Double.toString(Math.sin(i))).toArray(String[]::new);

    private IngestBench() {
    }

    /** What one backend measured: metrics/s through REST, through the store API, and the raw JDBC baseline. */
    private record Result(String backend, long metrics, double rest, double store, double raw) {
    }

    /** Where one backend's run writes: the server's backend-store URI and a plain JDBC connection to the same database. */
    private interface Target {
        String uri();

        /** A plain JDBC connection; with {@code rewrite} (PostgreSQL only) the driver sends batches as multi-row inserts. */
        Connection connect(boolean rewrite) throws java.sql.SQLException;

        boolean sqlite();
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.getInteger("bench.threads", 20);
        int batch = Integer.getInteger("bench.batch", 500);
        int seconds = Integer.getInteger("bench.seconds", 30);
        int keys = Integer.getInteger("bench.keys", 10);
        List<String> backends = BenchBackends.selected();
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath().resolve("ingest");
        deleteTree(dir);
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "Ingest benchmark: %d clients x log-batch of %d metrics over HTTP for %d s, backends %s%n",
                threads, batch, seconds, backends);
        List<Result> results = new ArrayList<>();
        for (String backend : backends) {
            if (backend.equals(BenchBackends.SQLITE)) {
                Path db = dir.resolve("mlv.db");
                results.add(runOn(backend, new Target() {
                    public String uri() {
                        return "sqlite:///" + db;
                    }

                    public Connection connect(boolean rewrite) throws java.sql.SQLException {
                        return DriverManager.getConnection("jdbc:sqlite:" + db);
                    }

                    public boolean sqlite() {
                        return true;
                    }
                }, dir, threads, batch, seconds, keys));
            } else {
                Path pgData = dir.getParent().resolve("postgres");
                try (BenchBackends.Postgres pg = BenchBackends.Postgres.start(pgData)) {
                    pg.recreate("mlv_ingest");
                    results.add(runOn(backend, new Target() {
                        public String uri() {
                            return pg.uri("mlv_ingest");
                        }

                        public Connection connect(boolean rewrite) throws java.sql.SQLException {
                            return pg.connect("mlv_ingest" + (rewrite ? "?reWriteBatchedInserts=true" : ""));
                        }

                        public boolean sqlite() {
                            return false;
                        }
                    }, dir, threads, batch, seconds, keys));
                }
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-10s | %12s | %14s | %14s | %15s | %15s%n", "backend", "metrics", "REST /s",
                "store API /s", "raw JDBC /s", "REST/raw (>=0.5)");
        for (Result r : results) {
            System.out.printf(Locale.ROOT, "%-10s | %,12d | %,14.0f | %,14.0f | %,15.0f | %6.2f  store/raw %.2f%n", r.backend(),
                    r.metrics(), r.rest(), r.store(), r.raw(), r.rest() / r.raw(), r.store() / r.raw());
        }
        if (results.size() == 2) {
            Result a = results.get(0), b = results.get(1);
            System.out.printf(Locale.ROOT, "%s / %s: REST %.2f, store API %.2f, raw JDBC %.2f%n", b.backend(), a.backend(),
                    b.rest() / a.rest(), b.store() / a.store(), b.raw() / a.raw());
        }
    }

    private static Result runOn(String backend, Target target, Path dir, int threads, int batch, int seconds, int keys)
            throws Exception {
        System.out.printf(Locale.ROOT, "-- %s: %s%n", backend, dev.mlv.store.MetadataStores.masked(target.uri()));
        Path home = dir.resolve(backend);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, home, target.uri(), home.resolve("artifacts").toString());
        long sent;
        double restRate;
        try (MlvServer server = MlvServer.start(config)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            String base = server.url() + "/api/2.0/mlflow/";
            String exp = post(http, base + "experiments/create", "{\"name\":\"ingest\"}").get("experiment_id").asText();
            List<String> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                runs.add(post(http, base + "runs/create", "{\"experiment_id\":\"" + exp + "\",\"start_time\":"
                        + System.currentTimeMillis() + "}").get("run").get("info").get("run_id").asText());
            }
            AtomicLong metrics = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long start = System.nanoTime();
            long deadline = start + seconds * 1_000_000_000L;
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String runId = runs.get(t);
                futures.add(pool.submit(() -> {
                    long step = 0;
                    try (RawHttpClient client = new RawHttpClient("127.0.0.1", server.port())) {
                        while (System.nanoTime() < deadline) {
                            StringBuilder body = new StringBuilder(batch * 64).append("{\"run_id\":\"").append(runId).append("\",\"metrics\":[");
                            long ts = System.currentTimeMillis();
                            for (int i = 0; i < batch; i++) {
                                if (i > 0) body.append(',');
                                body.append("{\"key\":\"m").append(i % keys).append("\",\"value\":").append(VALUES[(int) ((step + i) % VALUES.length)])
                                        .append(",\"timestamp\":").append(ts).append(",\"step\":").append(step + i / keys).append('}');
                            }
                            body.append("]}");
                            step += (batch + keys - 1) / keys;
                            client.postJson("/api/2.0/mlflow/runs/log-batch", body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                            metrics.addAndGet(batch);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
            double elapsed = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            sent = metrics.get();
            restRate = sent / elapsed;
            System.out.printf(Locale.ROOT, "REST log-batch : %,d metrics in %.1f s = %,.0f metrics/s (%,.0f requests/s, %.1f ms per request per client)%n",
                    sent, elapsed, restRate, sent / (double) batch / elapsed, elapsed * 1000 / (sent / (double) batch / threads));
        }
        double storeRate = storeOnly(target.uri(), sent, batch, keys, threads);
        double rawRate = rawInsert(target, sent, batch, keys, false);
        if (!target.sqlite()) rawInsert(target, sent, batch, keys, true);
        System.out.printf(Locale.ROOT, "ratio REST / raw JDBC = %.2f (goal >= 0.5); store API / raw JDBC = %.2f%n",
                restRate / rawRate, storeRate / rawRate);
        return new Result(backend, sent, restRate, storeRate, rawRate);
    }

    /**
     * The same number of metrics through {@link dev.mlv.tracking.TrackingStore#logBatch} from the same number of
     * threads, without HTTP: separates the store's share of the cost from the HTTP and JSON layers.
     */
    private static double storeOnly(String uri, long rows, int batch, int keys, int threads) throws Exception {
        try (dev.mlv.store.jdbc.JdbcMetadataStore store = dev.mlv.store.jdbc.JdbcMetadataStore.open(uri, "mlflow-artifacts:/")) {
            dev.mlv.tracking.TrackingStore t = store.tracking();
            String exp = t.createExperiment("ingest-store", null, List.of());
            java.util.concurrent.atomic.AtomicLong left = new java.util.concurrent.atomic.AtomicLong(rows / batch);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int th = 0; th < threads; th++) {
                String runId = t.createRun(exp, "bench", System.currentTimeMillis(), null, List.of()).info().runId();
                futures.add(pool.submit(() -> {
                    long step = 0;
                    while (left.getAndDecrement() > 0) {
                        List<dev.mlv.tracking.Metric> ms = new ArrayList<>(batch);
                        long ts = System.currentTimeMillis();
                        for (int i = 0; i < batch; i++) {
                            ms.add(new dev.mlv.tracking.Metric("m" + (i % keys), Math.sin(step + i), ts, step + i / keys));
                        }
                        step += (batch + keys - 1) / keys;
                        t.logBatch(runId, ms, List.of(), List.of());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
            double elapsed = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            double rate = rows / elapsed;
            System.out.printf(Locale.ROOT, "store logBatch : %,d metrics in %.1f s = %,.0f metrics/s (%d threads, no HTTP)%n",
                    rows, elapsed, rate, threads);
            return rate;
        }
    }

    /**
     * Inserts {@code rows} metric rows into the same database with plain JDBC batches (the driver's defaults, as the
     * store's pool uses them; on SQLite the server's settings); checks the REST rows first.
     */
    private static double rawInsert(Target target, long rows, int batch, int keys, boolean rewrite) throws Exception {
        String runUuid = rewrite ? "00000000000000000000000000000001" : "00000000000000000000000000000000";
        try (Connection c = target.connect(rewrite)) {
            try (Statement st = c.createStatement()) {
                if (target.sqlite()) {
                    st.execute("PRAGMA journal_mode=WAL");
                    st.execute("PRAGMA synchronous=NORMAL");
                    st.execute("PRAGMA busy_timeout=30000");
                }
                if (!rewrite) try (ResultSet rs = st.executeQuery("SELECT e.name, COUNT(*) FROM metrics m JOIN runs r ON r.run_uuid = m.run_uuid "
                        + "JOIN experiments e ON e.experiment_id = r.experiment_id GROUP BY e.name")) {
                    while (rs.next()) {
                        if (rs.getLong(2) != rows) {
                            throw new IllegalStateException("Lost metrics in " + rs.getString(1) + ": sent " + rows + ", stored " + rs.getLong(2));
                        }
                    }
                }
                st.execute("INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, artifact_uri, "
                        + "lifecycle_stage) VALUES ('" + runUuid + "', 0, 'raw', 'bench', 'RUNNING', 0, 'x', 'active')");
            }
            c.setAutoCommit(false);
            long start = System.nanoTime();
            long step = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan) "
                    + "VALUES (?, ?, ?, ?, ?, 0)")) {
                for (long done = 0; done < rows; done += batch) {
                    long ts = System.currentTimeMillis();
                    for (int i = 0; i < batch; i++) {
                        ps.setString(1, runUuid);
                        ps.setString(2, "m" + (i % keys));
                        ps.setDouble(3, Math.sin(step + i));
                        ps.setLong(4, ts);
                        ps.setLong(5, step + i / keys);
                        ps.addBatch();
                    }
                    step += (batch + keys - 1) / keys;
                    ps.executeBatch();
                    c.commit();
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            double rate = rows / elapsed;
            System.out.printf(Locale.ROOT, "raw JDBC batch : %,d rows in %.1f s = %,.0f rows/s (one thread, %d rows per transaction%s)%n",
                    rows, elapsed, rate, batch, rewrite ? ", reWriteBatchedInserts=true: context, not the baseline" : "");
            return rate;
        }
    }

    private static JsonNode post(HttpClient http, String url, String body) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException(url + " -> " + r.statusCode() + " " + r.body());
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
