package dev.mlv.store.jdbc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SqliteNativeLibraryTest {
    @Test
    void theDriverLoadsItsLibraryFromTheCachedCopy(@TempDir Path dir) throws Exception {
        String folder = SqliteNativeLibrary.platformFolder();
        assumeTrue(folder != null, "a platform whose library folder only the driver can tell");
        SqliteNativeLibrary.useCachedCopy();
        Path lib = Path.of(System.getProperty("org.sqlite.lib.path"), System.getProperty("org.sqlite.lib.name"));
        assertThat(lib).isRegularFile();
        try (InputStream in = org.sqlite.SQLiteConfig.class.getResourceAsStream("/org/sqlite/native/" + folder + "/" + lib.getFileName())) {
            assertThat(in).as("the driver ships a library in " + folder).isNotNull();
            assertThat(Files.readAllBytes(lib)).isEqualTo(in.readAllBytes());
        }
        var ds = new org.sqlite.SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("t.db"));
        try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT sqlite_version()")) {
            assertThat(rs.next()).isTrue();
        }
        SqliteNativeLibrary.useCachedCopy(); // idempotent
        assertThat(System.getProperty("org.sqlite.lib.path")).isEqualTo(lib.getParent().toString());
    }
}
