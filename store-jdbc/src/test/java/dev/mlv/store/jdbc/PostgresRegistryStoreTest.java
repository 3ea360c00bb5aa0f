package dev.mlv.store.jdbc;

import dev.mlv.registry.RegistryStore;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The registry contract on a real PostgreSQL. */
class PostgresRegistryStoreTest extends RegistryStoreContractTest {
    private static PostgresFixture pg;
    private static MetadataStore metadata;

    @BeforeAll
    static void open() {
        pg = PostgresFixture.start();
        metadata = MetadataStores.open(pg.newDatabase(), "mlflow-artifacts:/");
    }

    @AfterAll
    static void close() throws Exception {
        metadata.close();
        pg.close();
    }

    @Override
    protected RegistryStore store() {
        return metadata.registry();
    }
}
