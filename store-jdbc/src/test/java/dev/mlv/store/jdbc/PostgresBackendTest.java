package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to PostgreSQL: MLflow's URI forms, explicit upgrades, a newer schema, an unreachable server. */
class PostgresBackendTest {
    private static PostgresFixture pg;

    @BeforeAll
    static void start() {
        pg = PostgresFixture.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static ErrorCode code(Runnable r) {
        try {
            r.run();
        } catch (MlvException e) {
            return e.code();
        }
        throw new AssertionError("expected an MlvException");
    }

    @Test
    void parsesMlflowStyleUris() {
        PostgresUri u = PostgresUri.parse("postgresql+psycopg2://ml%40team:p%40ss%3Aw0rd@db.internal/mlflow?sslmode=require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5432/mlflow?sslmode=require");
        assertThat(u.user()).isEqualTo("ml@team");
        assertThat(u.password()).isEqualTo("p@ss:w0rd");
        assertThat(u.display()).isEqualTo("postgresql+psycopg2://ml%40team:***@db.internal/mlflow?sslmode=require");
        assertThat(u.toString()).doesNotContain("p%40ss");
        PostgresUri plain = PostgresUri.parse("postgres://localhost:6543/db");
        assertThat(plain.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:6543/db");
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isNull();
        assertThat(PostgresUri.parse("postgresql://u:pw+1@h/d").password()).isEqualTo("pw+1");
    }

    @Test
    void badUrisAreInvalidAndNeverShowThePassword() {
        for (String bad : List.of("postgresql://u:topsecret@/db", "postgresql://u:topsecret@host", "postgresql://u:topsecret@host/a/b",
                "postgresql://u:top secret@host/db")) {
            assertThatThrownBy(() -> PostgresUri.parse(bad)).isInstanceOfSatisfying(MlvException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(e.getMessage()).doesNotContain("topsecret").contains("***");
            });
        }
    }

    @Test
    void opensPsycopgUrisAndMasksThePassword() {
        String uri = pg.newDatabase().replace("postgresql://", "postgresql+psycopg2://");
        try (MetadataStore m = MetadataStores.open(uri, "mlflow-artifacts:/")) {
            assertThat(m.displayUri()).contains("postgres:***@").doesNotContain("unused-secret");
            String id = m.tracking().createExperiment("on-postgres", null, List.of());
            assertThat(m.tracking().getExperiment(id).name()).isEqualTo("on-postgres");
        }
    }

    @Test
    void upgradeMigratesOnceThenHasNothingToDo() {
        String uri = pg.newDatabase();
        Migrations.Result first = JdbcMetadataStore.upgrade(uri);
        assertThat(first.fromVersion()).isNull();
        assertThat(first.applied()).isPositive();
        Migrations.Result again = JdbcMetadataStore.upgrade(uri);
        assertThat(again.applied()).isZero();
        assertThat(again.fromVersion()).isEqualTo(first.toVersion()).isEqualTo(again.toVersion());
        try (MetadataStore m = MetadataStores.open(uri, "mlflow-artifacts:/")) {
            assertThat(m.tracking().getExperiment("0").name()).isEqualTo("Default");
        }
    }

    @Test
    void aSchemaNewerThanThisBinaryIsRefusedClearly() throws Exception {
        String uri = pg.newDatabase();
        JdbcMetadataStore.upgrade(uri);
        PostgresUri u = PostgresUri.parse(uri);
        try (Connection c = DriverManager.getConnection(u.jdbcUrl(), u.user(), u.password()); Statement st = c.createStatement()) {
            st.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                    + "installed_by, installed_on, execution_time, success) VALUES (100, '999.0', 'from a newer mlv', 'SQL', "
                    + "'V999_0__future.sql', 0, 'test', now(), 1, true)");
        }
        for (Runnable open : List.<Runnable>of(() -> MetadataStores.open(uri, "mlflow-artifacts:/").close(),
                () -> JdbcMetadataStore.upgrade(uri))) {
            assertThatThrownBy(open::run).isInstanceOfSatisfying(MlvException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
                assertThat(e.getMessage()).contains("schema version 999.0").contains("newer than this mlv")
                        .contains("***").doesNotContain("unused-secret");
            });
        }
    }

    @Test
    void anUnreachableServerIsTemporarilyUnavailable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String uri = "postgresql://postgres:pw@127.0.0.1:" + closedPort + "/mlv";
        assertThat(code(() -> MetadataStores.open(uri, "mlflow-artifacts:/"))).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
        assertThat(code(() -> JdbcMetadataStore.upgrade(uri))).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
    }
}
