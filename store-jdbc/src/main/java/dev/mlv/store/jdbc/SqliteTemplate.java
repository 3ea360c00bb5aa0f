package dev.mlv.store.jdbc;

import dev.mlv.data.AtomicFiles;
import org.sqlite.SQLiteDataSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A new SQLite database, already migrated: the build runs the Flyway migrations once on an empty file and ships it as
 * {@value #RESOURCE} (see this module's pom). A server's first start on a new home copies it instead of running
 * Flyway, whose first migration costs 0.5-1 s of a cold start; {@code mlv db upgrade} still migrates an empty file
 * itself. The copy carries Flyway's own history table, so the database is exactly what Flyway would have made, and
 * later migrations apply to it as usual. It is in SQLite's default journal mode (one file); opening it switches it to
 * WAL as for any new database.
 */
final class SqliteTemplate {
    static final String RESOURCE = "/db/sqlite-template.db";

    private SqliteTemplate() {
    }

    /**
     * Creates {@code file} from the template, atomically and only if it does not exist yet (a concurrent creator wins,
     * and its database is kept). False when there is no template or the copy cannot be made: then Flyway migrates.
     */
    static boolean createIfMissing(Path file) {
        if (Files.exists(file)) return false;
        Path tmp = AtomicFiles.tempBeside(file);
        try (InputStream in = SqliteTemplate.class.getResourceAsStream(RESOURCE)) {
            if (in == null) return false;
            Files.createDirectories(file.getParent());
            Files.copy(in, tmp);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.createLink(file, tmp); // unlike a rename, never replaces a database made in the meantime
            AtomicFiles.fsyncDirectory(file.getParent());
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        } finally {
            AtomicFiles.deleteQuietly(tmp);
        }
    }

    /** Build step: writes the migrated template to {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING); // Flyway's progress, in the build
        Path out = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(out.getParent());
        Path tmp = AtomicFiles.tempBeside(out);
        try {
            SQLiteDataSource ds = new SQLiteDataSource();
            ds.setUrl("jdbc:sqlite:" + tmp);
            Migrations.migrate(ds, Dialect.SQLITE, "the SQLite template");
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            AtomicFiles.deleteQuietly(tmp);
        }
    }
}
