package dev.mlv.store.jdbc;

import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The tracking contract on an embedded SQLite file, opened through the scheme factory as the server does. */
class SqliteTrackingStoreTest extends TrackingStoreContractTest {
    private Path dir;
    private MetadataStore metadata;

    @Override
    protected Opened openStore() throws Exception {
        dir = Files.createTempDirectory("mlv-sqlite-test");
        metadata = MetadataStores.open("sqlite:///" + dir.resolve("sub/mlv.db"), "mlflow-artifacts:/");
        return new Opened(metadata.tracking(), () -> {
            metadata.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        });
    }

    @Test
    void sqliteRunsInWalModeAndArtifactLocationsAreMlflowArtifacts() throws Exception {
        assertThat(Files.exists(dir.resolve("sub/mlv.db"))).isTrue();
        Database db = ((JdbcMetadataStore) metadata).database();
        try (Connection c = db.readDataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
        assertThat(store.getExperiment("0").artifactLocation()).isEqualTo("mlflow-artifacts:/0");
    }

    @Test
    void sqliteUrisFollowSqlAlchemyRules() {
        assertThat(Dialect.sqlitePath("sqlite:////abs/dir/mlv.db")).isEqualTo(Path.of("/abs/dir/mlv.db"));
        assertThat(Dialect.sqlitePath("sqlite:///rel/mlv.db")).isEqualTo(Path.of("rel/mlv.db").toAbsolutePath());
        assertThat(Dialect.sqlitePath("sqlite://mlv.db")).isEqualTo(Path.of("mlv.db").toAbsolutePath());
    }

    @Test
    void reopeningKeepsDataAndDoesNotRemigrate() throws Exception {
        Path other = dir.resolve("reopen.db");
        String id;
        try (MetadataStore m = MetadataStores.open("sqlite:///" + other, "mlflow-artifacts:/")) {
            id = m.tracking().createExperiment("kept", null, java.util.List.of());
        }
        try (MetadataStore m = MetadataStores.open("sqlite:///" + other, "mlflow-artifacts:/")) {
            assertThat(m.tracking().getExperiment(id).name()).isEqualTo("kept");
            assertThat(m.tracking().getExperiment("0").name()).isEqualTo("Default");
        }
    }
}
