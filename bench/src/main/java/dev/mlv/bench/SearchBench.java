package dev.mlv.bench;

import dev.mlv.store.jdbc.Database;
import dev.mlv.store.jdbc.JdbcMetadataStore;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunQuery;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.tracking.ViewType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Search benchmark: N runs × 20 metrics × 20 params in one experiment of a SQLite store (and, with
 * {@code -Dbench.backends=sqlite,postgresql}, the default, of an embedded PostgreSQL, seeded with COPY); the first page of
 * {@code metrics.m1 > 0.5 and params.p1 = 'x'} ordered by {@code metrics.m2 DESC}, through
 * {@link TrackingStore#searchRuns} and as hand-written SQL on the same database in the same run (the same page, then
 * the page's metrics, params and tags by IN queries). Prints p50/p99 per size and the ratio store / hand-written.
 *
 * <p>Arguments ({@code -Dbench.*} system properties): {@code bench.sizes} (default {@code 1000,10000,100000}),
 * {@code bench.iterations} (default 40), {@code bench.pageSize} (default 100), {@code bench.dir} (default
 * {@code bench/target-bench}; databases are kept there and reused when they already hold the right number of runs).
 */
public final class SearchBench {
    private static final String FILTER = "metrics.m1 > 0.5 and params.p1 = 'x'";
    private static final String ORDER = "metrics.m2 DESC";
    private static final int METRICS = 20;
    private static final int PARAMS = 20;

    private SearchBench() {
    }

    /** One measured size on one backend (nanoseconds). */
    private record Row(String backend, int runs, long matches, long store50, long store99, long sql50, long sql99) {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("bench.sizes", "1000,10000,100000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        int iterations = Integer.getInteger("bench.iterations", 40);
        int pageSize = Integer.getInteger("bench.pageSize", 100);
        List<String> backends = BenchBackends.selected();
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath();
        Files.createDirectories(dir);
        System.out.printf(Locale.ROOT, "Search benchmark: filter \"%s\", order_by \"%s\", page of %d, %d iterations, backends %s%n",
                FILTER, ORDER, pageSize, iterations, backends);
        List<Row> rows = new ArrayList<>();
        for (String backend : backends) {
            System.out.printf(Locale.ROOT, "-- %s%n", backend);
            System.out.printf(Locale.ROOT, "%9s %8s | %10s %10s | %10s %10s | %8s %8s | %10s%n", "runs", "matches",
                    "store p50", "store p99", "sql p50", "sql p99", "p50 x", "p99 x", "sql-page p50");
            if (backend.equals(BenchBackends.SQLITE)) {
                for (int n : sizes) {
                    Path db = dir.resolve("search-" + n + ".db");
                    try (JdbcMetadataStore store = openOrRecreate(db)) {
                        String exp = populate(store, n, null);
                        rows.add(measure(backend, store, exp, n, iterations, pageSize));
                    }
                }
            } else {
                try (BenchBackends.Postgres pg = BenchBackends.Postgres.start(dir.resolve("postgres"))) {
                    for (int n : sizes) {
                        String name = "mlv_search_" + n;
                        if (!pg.exists(name)) pg.recreate(name);
                        JdbcMetadataStore store;
                        try {
                            store = JdbcMetadataStore.open(pg.uri(name), "mlflow-artifacts:/");
                        } catch (dev.mlv.errors.MlvException e) {
                            System.out.println("  (" + name + " has another schema: recreating it)");
                            pg.recreate(name);
                            store = JdbcMetadataStore.open(pg.uri(name), "mlflow-artifacts:/");
                        }
                        try (JdbcMetadataStore s = store; Connection copy = pg.connect(name)) {
                            String exp = populate(s, n, copy);
                            rows.add(measure(backend, s, exp, n, iterations, pageSize));
                        }
                    }
                }
            }
        }
        if (backends.size() > 1) {
            System.out.println();
            System.out.println("Side by side (p50; ratio = store / hand-written SQL on the same database, goal <= 2x):");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%9s", "runs"));
            for (String b : backends) head.append(String.format(Locale.ROOT, " | %-10s %9s %9s %6s", b, "store", "sql", "ratio"));
            System.out.println(head);
            for (int n : sizes) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%9d", n));
                for (String b : backends) {
                    Row r = rows.stream().filter(x -> x.backend().equals(b) && x.runs() == n).findFirst().orElseThrow();
                    line.append(String.format(Locale.ROOT, " | %-10s %7.2fms %7.2fms %5.2fx", "", ms(r.store50()), ms(r.sql50()),
                            (double) r.store50() / r.sql50()));
                }
                System.out.println(line);
            }
        }
    }

    /** Opens a kept database, or starts a new one when the kept one has another schema (the migrations changed). */
    private static JdbcMetadataStore openOrRecreate(Path db) throws java.io.IOException {
        try {
            return JdbcMetadataStore.open("sqlite:///" + db, "mlflow-artifacts:/");
        } catch (dev.mlv.errors.MlvException e) {
            if (!Files.exists(db)) throw e;
            System.out.println("  (" + db.getFileName() + " has another schema: recreating it)");
            for (String suffix : List.of("", "-wal", "-shm")) Files.deleteIfExists(Path.of(db + suffix));
            return JdbcMetadataStore.open("sqlite:///" + db, "mlflow-artifacts:/");
        }
    }

    /**
     * Fills the database with n runs (skipped when it already holds them); returns the experiment id. With
     * {@code copy} (a plain PostgreSQL connection to the same database) the rows go in with {@code COPY … FROM STDIN},
     * else with JDBC batches of 1,000 runs; the rows are the same either way.
     */
    private static String populate(JdbcMetadataStore store, int n, Connection copy) throws SQLException {
        TrackingStore t = store.tracking();
        var existing = t.getExperimentByName("bench");
        if (existing.isPresent()) {
            String id = existing.get().experimentId();
            long count = store.database().read(c -> count(c, "SELECT COUNT(*) FROM runs WHERE experiment_id = " + Long.parseLong(id)));
            if (count == n) return id;
            throw new IllegalStateException("Database for " + n + " runs holds " + count + "; delete it and rerun");
        }
        String exp = t.createExperiment("bench", null, List.of());
        long expId = Long.parseLong(exp);
        long t0 = System.nanoTime();
        Random rnd = new Random(42);
        Database db = store.database();
        for (int from = 0; from < n; from += 10_000) {
            int lo = from, hi = Math.min(n, from + 10_000);
            if (copy != null) {
                copyRuns(copy, rnd, expId, lo, hi);
                continue;
            }
            db.write(c -> {
            try (PreparedStatement runs = c.prepareStatement("INSERT INTO runs (run_uuid, experiment_id, name, user_id, "
                    + "status, start_time, end_time, artifact_uri, lifecycle_stage) VALUES (?, ?, ?, 'bench', 'FINISHED', ?, ?, ?, 'active')");
                 PreparedStatement tags = c.prepareStatement("INSERT INTO tags (run_uuid, key, value) VALUES (?, 'mlflow.runName', ?)");
                 PreparedStatement params = c.prepareStatement("INSERT INTO params (run_uuid, key, value) VALUES (?, ?, ?)");
                 PreparedStatement metrics = c.prepareStatement("INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)");
                 PreparedStatement latest = c.prepareStatement("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)")) {
                for (int i = lo; i < hi; i++) {
                    SeedRun r = SeedRun.next(rnd, i);
                    runs.setString(1, r.id());
                    runs.setLong(2, expId);
                    runs.setString(3, "run-" + i);
                    runs.setLong(4, r.start());
                    runs.setLong(5, r.start() + 1000);
                    runs.setString(6, "mlflow-artifacts:/" + expId + "/" + r.id() + "/artifacts");
                    runs.addBatch();
                    tags.setString(1, r.id());
                    tags.setString(2, "run-" + i);
                    tags.addBatch();
                    for (int p = 1; p <= PARAMS; p++) {
                        params.setString(1, r.id());
                        params.setString(2, "p" + p);
                        params.setString(3, r.params()[p - 1]);
                        params.addBatch();
                    }
                    for (int m = 1; m <= METRICS; m++) {
                        for (PreparedStatement ps : List.of(metrics, latest)) {
                            ps.setString(1, r.id());
                            ps.setString(2, "m" + m);
                            ps.setDouble(3, r.metrics()[m - 1]);
                            ps.setLong(4, r.start() + 500);
                            ps.addBatch();
                        }
                    }
                    if (i % 1000 == 999 || i == hi - 1) {
                        runs.executeBatch();
                        tags.executeBatch();
                        params.executeBatch();
                        metrics.executeBatch();
                        latest.executeBatch();
                    }
                }
            }
            return null;
            });
        }
        db.write(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("ANALYZE");
            }
            return null;
        });
        System.out.printf(Locale.ROOT, "  (populated %d runs in %.1f s)%n", n, (System.nanoTime() - t0) / 1e9);
        return exp;
    }

    /** One seeded run: its id, start time, params p1..p20 and metrics m1..m20, drawn in a fixed order from {@code rnd}. */
    private record SeedRun(String id, long start, String[] params, double[] metrics) {
        static SeedRun next(Random rnd, int i) {
            String id = String.format(Locale.ROOT, "%016x%016x", rnd.nextLong(), rnd.nextLong());
            String[] params = new String[PARAMS];
            for (int p = 1; p <= PARAMS; p++) {
                params[p - 1] = p == 1 ? (rnd.nextInt(10) == 0 ? "x" : "v" + rnd.nextInt(9)) : "val-" + rnd.nextInt(1000);
            }
            double[] metrics = new double[METRICS];
            for (int m = 0; m < METRICS; m++) metrics[m] = rnd.nextDouble();
            return new SeedRun(id, 1_700_000_000_000L + i, params, metrics);
        }
    }

    /**
     * Runs {@code lo..hi-1} into PostgreSQL with {@code COPY … FROM STDIN} (text format), one transaction per call:
     * the fast way to seed 100,000 runs (6.2 million rows), several times faster than JDBC batches.
     */
    private static void copyRuns(Connection c, Random rnd, long expId, int lo, int hi) throws SQLException {
        StringBuilder runs = new StringBuilder(), tags = new StringBuilder(), params = new StringBuilder();
        StringBuilder metrics = new StringBuilder();
        for (int i = lo; i < hi; i++) {
            SeedRun r = SeedRun.next(rnd, i);
            runs.append(r.id()).append('\t').append(expId).append("\trun-").append(i).append("\tbench\tFINISHED\t")
                    .append(r.start()).append('\t').append(r.start() + 1000).append("\tmlflow-artifacts:/").append(expId)
                    .append('/').append(r.id()).append("/artifacts\tactive\n");
            tags.append(r.id()).append("\tmlflow.runName\trun-").append(i).append('\n');
            for (int p = 1; p <= PARAMS; p++) params.append(r.id()).append("\tp").append(p).append('\t').append(r.params()[p - 1]).append('\n');
            for (int m = 1; m <= METRICS; m++) {
                metrics.append(r.id()).append("\tm").append(m).append('\t').append(r.metrics()[m - 1]).append('\t')
                        .append(r.start() + 500).append("\t0\t0\n");
            }
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            org.postgresql.copy.CopyManager copy = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            copy.copyIn("COPY runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, artifact_uri, "
                    + "lifecycle_stage) FROM STDIN", new java.io.StringReader(runs.toString()));
            copy.copyIn("COPY tags (run_uuid, key, value) FROM STDIN", new java.io.StringReader(tags.toString()));
            copy.copyIn("COPY params (run_uuid, key, value) FROM STDIN", new java.io.StringReader(params.toString()));
            String m = metrics.toString();
            copy.copyIn("COPY metrics (run_uuid, key, value, timestamp, step, is_nan) FROM STDIN", new java.io.StringReader(m));
            copy.copyIn("COPY latest_metrics (run_uuid, key, value, timestamp, step, is_nan) FROM STDIN", new java.io.StringReader(m));
            c.commit();
        } catch (java.io.IOException e) {
            c.rollback();
            throw new SQLException(e);
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    private static Row measure(String backend, JdbcMetadataStore store, String exp, int n, int iterations, int pageSize) throws SQLException {
        TrackingStore t = store.tracking();
        RunQuery q = new RunQuery(List.of(exp), FILTER, List.of(ORDER), pageSize, null, ViewType.ACTIVE_ONLY);
        long matches = store.database().read(c -> count(c, "SELECT COUNT(*) FROM runs r "
                + "JOIN params p ON p.run_uuid = r.run_uuid AND p.key = 'p1' AND p.value = 'x' "
                + "JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = 'm1' AND m.value > 0.5 "
                + "WHERE r.experiment_id = " + Long.parseLong(exp)));
        // Same answer both ways.
        List<String> viaStore = t.searchRuns(q).items().stream().map(r -> r.info().runId()).toList();
        List<String> viaSql = handWritten(store, exp, pageSize, true);
        if (!viaStore.equals(viaSql)) throw new IllegalStateException("Store and SQL disagree: " + viaStore + " vs " + viaSql);

        int warmup = Math.max(5, iterations / 4);
        for (int i = 0; i < warmup; i++) {
            t.searchRuns(q);
            handWritten(store, exp, pageSize, true);
        }
        long[] st = new long[iterations], sq = new long[iterations], sp = new long[iterations];
        for (int i = 0; i < iterations; i++) {
            long a = System.nanoTime();
            List<Run> page = t.searchRuns(q).items();
            long b = System.nanoTime();
            handWritten(store, exp, pageSize, true);
            long c = System.nanoTime();
            handWritten(store, exp, pageSize, false);
            long d = System.nanoTime();
            if (page.size() != Math.min(pageSize, matches)) throw new IllegalStateException("page of " + page.size());
            st[i] = b - a;
            sq[i] = c - b;
            sp[i] = d - c;
        }
        Arrays.sort(st);
        Arrays.sort(sq);
        Arrays.sort(sp);
        System.out.printf(Locale.ROOT, "%9d %8d | %8.2fms %8.2fms | %8.2fms %8.2fms | %7.2fx %7.2fx | %8.2fms%n", n, matches,
                ms(p(st, 50)), ms(p(st, 99)), ms(p(sq, 50)), ms(p(sq, 99)), (double) p(st, 50) / p(sq, 50),
                (double) p(st, 99) / p(sq, 99), ms(p(sp, 50)));
        return new Row(backend, n, matches, p(st, 50), p(st, 99), p(sq, 50), p(sq, 99));
    }

    /**
     * The same search written by hand: one query for the page, then (with {@code withData}) the page's latest metrics,
     * params and tags by IN queries, read into plain lists.
     */
    private static List<String> handWritten(JdbcMetadataStore store, String exp, int pageSize, boolean withData) {
        return store.database().read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT r.run_uuid, r.experiment_id, r.name, r.user_id, "
                    + "r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage FROM runs r "
                    + "JOIN latest_metrics m ON m.run_uuid = r.run_uuid AND m.key = ? AND m.value > ? "
                    + "JOIN params p ON p.run_uuid = r.run_uuid AND p.key = ? AND p.value = ? "
                    + "LEFT JOIN latest_metrics o ON o.run_uuid = r.run_uuid AND o.key = ? "
                    + "WHERE r.experiment_id = ? AND r.lifecycle_stage = 'active' "
                    + "ORDER BY o.value IS NULL, o.value DESC, r.start_time DESC, r.run_uuid LIMIT ?")) {
                ps.setString(1, "m1");
                ps.setDouble(2, 0.5);
                ps.setString(3, "p1");
                ps.setString(4, "x");
                ps.setString(5, "m2");
                ps.setLong(6, Long.parseLong(exp));
                ps.setInt(7, pageSize);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                        rs.getLong(2);
                        rs.getString(3);
                        rs.getString(4);
                        rs.getString(5);
                        rs.getLong(6);
                        rs.getLong(7);
                        rs.getString(8);
                        rs.getString(9);
                    }
                }
            }
            if (withData && !ids.isEmpty()) {
                String in = String.join(",", java.util.Collections.nCopies(ids.size(), "?"));
                List<Object[]> sink = new ArrayList<>();
                for (String sql : List.of("SELECT run_uuid, key, value, timestamp, step FROM latest_metrics WHERE run_uuid IN (" + in + ")",
                        "SELECT run_uuid, key, value FROM params WHERE run_uuid IN (" + in + ")",
                        "SELECT run_uuid, key, value FROM tags WHERE run_uuid IN (" + in + ")")) {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        for (int i = 0; i < ids.size(); i++) ps.setString(i + 1, ids.get(i));
                        try (ResultSet rs = ps.executeQuery()) {
                            int cols = rs.getMetaData().getColumnCount();
                            while (rs.next()) {
                                Object[] row = new Object[cols];
                                for (int k = 0; k < cols; k++) row[k] = rs.getObject(k + 1);
                                sink.add(row);
                            }
                        }
                    }
                }
            }
            return ids;
        });
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long p(long[] sorted, int pct) {
        int idx = (int) Math.ceil(pct / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
