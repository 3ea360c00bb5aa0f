package dev.mlv.store.jdbc;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pre-migrated SQLite database a new home starts from: the same schema and history as Flyway makes at run time. */
class SqliteTemplateTest {

    @Test
    void templateIsWhatFlywayMakesAndFlywayAcceptsIt(@TempDir Path dir) throws Exception {
        Path fromTemplate = dir.resolve("template.db");
        assertThat(SqliteTemplate.createIfMissing(fromTemplate)).as("the build ships the template").isTrue();
        Path migrated = dir.resolve("migrated.db");
        Migrations.migrate(dataSource(migrated), Dialect.SQLITE, "migrated");

        assertThat(schema(fromTemplate)).isNotEmpty().isEqualTo(schema(migrated));
        assertThat(history(fromTemplate)).isEqualTo(history(migrated));
        assertThat(Migrations.history(dataSource(fromTemplate))).isEqualTo(Migrations.History.CURRENT);
        // Flyway itself finds every migration applied, with the checksums of the files in this build
        Flyway.configure().dataSource(dataSource(fromTemplate)).locations("classpath:db/migration")
                .placeholders(Dialect.SQLITE.flywayPlaceholders()).load().validate();
    }

    @Test
    void neverReplacesAnExistingFile(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("mlv.db");
        Files.writeString(db, "someone else's database");
        assertThat(SqliteTemplate.createIfMissing(db)).isFalse();
        assertThat(Files.readString(db)).isEqualTo("someone else's database");
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temp file left behind").containsExactly(db);
        }
    }

    @Test
    void aNewHomeStartsFromTheTemplate(@TempDir Path dir) throws Exception {
        Instant before = Instant.now();
        Path file = dir.resolve("home/mlv.db");
        Database db = Database.open("sqlite:///" + file);
        try (Connection c = db.readDataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT MIN(installed_on) FROM flyway_schema_history")) {
            rs.next();
            assertThat(Timestamp.valueOf(rs.getString(1)).toInstant()).as("applied at build time, not now").isBefore(before);
        } finally {
            db.close();
        }
        assertThat(Migrations.history(dataSource(file))).isEqualTo(Migrations.History.CURRENT);
    }

    private static SQLiteDataSource dataSource(Path file) {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + file);
        return ds;
    }

    private static List<String> schema(Path file) throws Exception {
        return rows(file, "SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name");
    }

    private static List<String> history(Path file) throws Exception {
        return rows(file, "SELECT version || ' ' || script || ' ' || checksum || ' ' || success FROM flyway_schema_history"
                + " ORDER BY installed_rank");
    }

    private static List<String> rows(Path file, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource(file).getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
