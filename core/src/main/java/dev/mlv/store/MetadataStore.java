package dev.mlv.store;

import dev.mlv.permissions.PermissionStore;
import dev.mlv.registry.RegistryStore;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.users.UserStore;

/**
 * One metadata database (SQLite, PostgreSQL, …) seen through the SPIs of each capability. Opened by
 * {@link MetadataStores#open}; closing it closes its connection pool.
 */
public interface MetadataStore extends AutoCloseable {

    TrackingStore tracking();

    RegistryStore registry();

    /** Who may do what with each experiment and registered model, when the server authenticates its users. */
    PermissionStore permissions();

    /** The users of a server started with {@code --auth}, shared by every replica on this database. */
    UserStore users();

    /** The URI it was opened from, with any password masked. */
    String displayUri();

    @Override
    void close();
}
