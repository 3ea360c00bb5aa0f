package dev.mlv.store.jdbc;

import java.nio.file.Path;
import java.util.List;

/** The user contract on a real PostgreSQL (one embedded server for the class). */
class PostgresUserStoreTest extends JdbcUserStoreContractTest {
    @Override
    protected String newDatabase(Path dir, List<AutoCloseable> closeAfter) {
        PostgresFixture pg = PostgresFixture.start();
        closeAfter.add(pg);
        return pg.newDatabase();
    }
}
