package dev.mlv.store;

import dev.mlv.permissions.PermissionStore;
import dev.mlv.registry.RegistryStore;
import dev.mlv.tracking.TrackingStore;

/**
 * One metadata database (SQLite, PostgreSQL, …) seen through the SPIs of each capability. Opened by
 * {@link MetadataStores#open}; closing it closes its connection pool.
 */
public interface MetadataStore extends AutoCloseable {

    TrackingStore tracking();

    RegistryStore registry();

    /** Who may do what with each experiment and registered model, when the server authenticates its users. */
    PermissionStore permissions();

    /** The URI it was opened from, with any password masked. */
    String displayUri();

    @Override
    void close();
}
