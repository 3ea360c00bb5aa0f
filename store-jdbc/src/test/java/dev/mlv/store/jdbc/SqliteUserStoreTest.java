package dev.mlv.store.jdbc;

import java.nio.file.Path;
import java.util.List;

/** The user contract on SQLite. */
class SqliteUserStoreTest extends JdbcUserStoreContractTest {
    @Override
    protected String newDatabase(Path dir, List<AutoCloseable> closeAfter) {
        return "sqlite:///" + dir.resolve("mlv.db");
    }
}
