package dev.mlv.server.replicas;

import dev.mlv.s3.S3ProxyFixture;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.sql.Connection;
import java.sql.Statement;

/**
 * What a multi-replica deployment shares, started in-process for one test class: a real PostgreSQL that can be
 * stopped and started again on the same port and data, and an S3 endpoint (s3proxy). Replicas are {@link MlvServer}s
 * opened on both with {@code postgresql://…} and {@code s3://…} URIs, the S3 endpoint and keys given the way a
 * deployment gives them (endpoint override and the SDK's credential settings).
 */
final class Infra implements AutoCloseable {
    static final String BUCKET = "mlv";

    static {
        // Surefire runs tests with -ea; pgjdbc asserts internally that a dead connection answers getAutoCommit(),
        // which turns a lost connection into an AssertionError no production JVM (assertions off) ever sees.
        Infra.class.getClassLoader().setPackageAssertionStatus("org.postgresql", false);
    }
    private final Path dir;
    private final Path pgData;
    private final int pgPort;
    private EmbeddedPostgres pg;
    private final S3ProxyFixture s3;

    private Infra(Path dir, Path pgData, int pgPort, EmbeddedPostgres pg, S3ProxyFixture s3) {
        this.dir = dir;
        this.pgData = pgData;
        this.pgPort = pgPort;
        this.pg = pg;
        this.s3 = s3;
    }

    static Infra start(Path dir) throws Exception {
        Path pgData = Files.createDirectories(dir.resolve("pgdata"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        EmbeddedPostgres pg = postgres(pgData, port);
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE mlv");
        }
        S3ProxyFixture s3 = S3ProxyFixture.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        s3.useAsDefault();
        return new Infra(dir, pgData, port, pg, s3);
    }

    private static EmbeddedPostgres postgres(Path data, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("max_connections", "120").start();
    }

    /** The backend store URI as an MLflow user writes it (the password is not checked by the embedded server). */
    String backendStoreUri() {
        return "postgresql+psycopg2://postgres:not-a-secret@127.0.0.1:" + pgPort + "/mlv";
    }

    String artifactsDestination() {
        return "s3://" + BUCKET + "/artifacts";
    }

    S3ProxyFixture s3() {
        return s3;
    }

    MlvServer startReplica(String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home-" + name));
        // webhooks may reach a receiver on loopback, retrying quickly
        return MlvServer.start(new ServerConfig("127.0.0.1", 0, home, backendStoreUri(), artifactsDestination())
                .withWebhooks(new dev.mlv.server.webhooks.WebhookSettings(Set.of("http"), true, Duration.ofSeconds(5), 2,
                        Duration.ofMillis(50), 2, null)));
    }

    /** Stops PostgreSQL (fast shutdown: open connections are terminated). */
    void stopPostgres() {
        try {
            pg.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pg = null;
    }

    /** Starts PostgreSQL again on the same port with the same data. */
    void startPostgres() {
        try {
            pg = postgres(pgData, pgPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        S3ProxyFixture.clearDefaults();
        try {
            if (pg != null) pg.close();
        } finally {
            s3.close();
        }
    }
}
