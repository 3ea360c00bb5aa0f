package dev.mlv.store.jdbc;

import java.nio.file.Path;
import java.util.List;

/** The permission contract on SQLite. */
class SqlitePermissionStoreTest extends PermissionStoreContractTest {
    @Override
    protected String newDatabase(Path dir, List<AutoCloseable> closeAfter) {
        return "sqlite:///" + dir.resolve("mlv.db");
    }
}
