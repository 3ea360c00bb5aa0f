package dev.mlv.store.jdbc;

import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;

/** The tracking contract on a real PostgreSQL, opened through the scheme factory as the server does. */
class PostgresTrackingStoreTest extends TrackingStoreContractTest {
    @Override
    protected Opened openStore() {
        PostgresFixture pg = PostgresFixture.start();
        MetadataStore metadata = MetadataStores.open(pg.newDatabase(), "mlflow-artifacts:/");
        return new Opened(metadata.tracking(), () -> {
            metadata.close();
            pg.close();
        });
    }
}
