package dev.mlv.store.jdbc;

import dev.mlv.registry.RegistryStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class SqliteRegistryStoreTest extends RegistryStoreContractTest {
    @TempDir
    static Path dir;
    private static JdbcMetadataStore metadata;

    @BeforeAll
    static void open() {
        metadata = JdbcMetadataStore.open("sqlite:///" + dir.resolve("mlv.db"), "mlflow-artifacts:/");
    }

    @AfterAll
    static void close() {
        metadata.close();
    }

    @Override
    protected RegistryStore store() {
        return metadata.registry();
    }
}
