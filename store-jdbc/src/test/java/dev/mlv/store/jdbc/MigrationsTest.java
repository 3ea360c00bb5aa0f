package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fast "schema already current" check that lets a database open without Flyway. */
class MigrationsTest {
    private static final Pattern VERSIONED = Pattern.compile("V([0-9._]+)__.+\\.sql");

    @Test
    void latestVersionConstantIsTheNewestBundledMigration() throws Exception {
        String highest = null;
        try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = VERSIONED.matcher(f.getFileName().toString());
                if (!m.matches()) continue;
                String v = m.group(1);
                if (highest == null || Migrations.compareVersions(v, highest) > 0) highest = v;
            }
        }
        assertThat(highest).as("newest V*__*.sql under db/migration").isNotNull();
        assertThat(Migrations.compareVersions(highest, Migrations.LATEST_VERSION))
                .as("Migrations.LATEST_VERSION (%s) must equal the newest migration (%s)", Migrations.LATEST_VERSION, highest)
                .isZero();
    }

    @Test
    void versionsCompareNumericallyPartByPart() {
        assertThat(Migrations.compareVersions("2.0", "2")).isZero();
        assertThat(Migrations.compareVersions("10.0", "9.1")).isPositive();
        assertThat(Migrations.compareVersions("1_5", "1.10")).isNegative();
    }

    @Test
    void onlyAFullyMigratedHistoryCountsAsCurrent(@TempDir Path dir) throws Exception {
        String uri = "sqlite:///" + dir.resolve("mlv.db");
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("mlv.db"));
        assertThat(Migrations.history(ds)).as("no history table yet").isEqualTo(Migrations.History.NONE);

        Migrations.Result first = Migrations.migrateIfNeeded(ds, Dialect.SQLITE, uri);
        assertThat(first.applied()).isPositive();
        assertThat(first.toVersion()).isEqualTo(Migrations.LATEST_VERSION);
        assertThat(Migrations.history(ds)).isEqualTo(Migrations.History.CURRENT);
        assertThat(Migrations.migrateIfNeeded(ds, Dialect.SQLITE, uri))
                .isEqualTo(new Migrations.Result(Migrations.LATEST_VERSION, Migrations.LATEST_VERSION, 0));

        // A migration from a newer mlv: the check says "not current" and Flyway refuses the schema, as before.
        exec(ds, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                + "installed_by, installed_on, execution_time, success) VALUES (100, '999.0', 'newer', 'SQL', "
                + "'V999_0__newer.sql', 1, 'test', CURRENT_TIMESTAMP, 1, 1)");
        assertThat(Migrations.history(ds)).isEqualTo(Migrations.History.OTHER);
        assertThatThrownBy(() -> Migrations.migrateIfNeeded(ds, Dialect.SQLITE, uri))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE))
                .hasMessageContaining("newer than this mlv");

        // A failed migration is never taken for current either.
        exec(ds, "UPDATE flyway_schema_history SET version = '" + Migrations.LATEST_VERSION + "', success = 0 "
                + "WHERE installed_rank = 100");
        assertThat(Migrations.history(ds)).isEqualTo(Migrations.History.OTHER);
    }

    /** A database of an earlier mlv (schema 2.0, before logged models) opens migrated, its data kept. */
    @Test
    void anOlderSchemaIsUpgradedOnOpenKeepingItsData(@TempDir Path dir) throws Exception {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("mlv.db"));
        org.flywaydb.core.Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                .placeholders(Dialect.SQLITE.flywayPlaceholders()).target("2.0").load().migrate();
        exec(ds, "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, "
                + "last_update_time) VALUES (7, 'old', 'mlflow-artifacts:/7', 'active', 1, 1)");
        try (JdbcMetadataStore store = JdbcMetadataStore.open("sqlite:///" + dir.resolve("mlv.db"), null)) {
            assertThat(store.tracking().getExperiment("7").name()).isEqualTo("old");
            assertThat(store.tracking().createLoggedModel("7", "m", null, null, null, null).artifactLocation())
                    .startsWith("mlflow-artifacts:/7/models/m-");
        }
        assertThat(Migrations.history(ds)).isEqualTo(Migrations.History.CURRENT);
    }

    private static void exec(SQLiteDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
