package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.registry.RegistryStore;
import dev.mlv.store.MetadataStore;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.users.UserStore;

/**
 * A metadata store on a SQL database (SQLite or PostgreSQL): one {@link Database} (pools, migrations, transactions)
 * shared by the tracking, registry, permission and user stores.
 */
public final class JdbcMetadataStore implements MetadataStore {
    private final Database database;
    private final JdbcTrackingStore tracking;
    private volatile RegistryStore registry;
    private final PermissionStore permissions;
    private final UserStore users;

    public JdbcMetadataStore(Database database, String defaultArtifactRoot) {
        this.database = database;
        this.tracking = new JdbcTrackingStore(database, defaultArtifactRoot);
        JdbcRegistryStore registryStore = new JdbcRegistryStore(database);
        this.registry = registryStore;
        this.permissions = new JdbcPermissions(registryStore, database, System::currentTimeMillis);
        this.users = new JdbcUsers(registryStore, database, System::currentTimeMillis);
    }

    /** Opens (creating and migrating) the database at {@code uri}. */
    public static JdbcMetadataStore open(String uri, String defaultArtifactRoot) {
        Database db = Database.open(uri);
        try {
            return new JdbcMetadataStore(db, defaultArtifactRoot);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /**
     * Migrates the database at {@code uri} to the newest schema this binary has, and nothing else: what
     * {@code mlv db upgrade --backend-store-uri URI} runs (opening a store migrates too; this lets operators do it
     * explicitly, e.g. before rolling out new replicas). Throws {@code INVALID_STATE} when the schema is newer than
     * this binary, {@code TEMPORARILY_UNAVAILABLE} when the database cannot be reached.
     */
    public static Migrations.Result upgrade(String uri) {
        Dialect dialect = Dialect.forUri(uri);
        Dialect.Pools pools = dialect.openPools(uri);
        try {
            return Migrations.migrate(pools.migration(), dialect, dialect.displayUri(uri));
        } finally {
            if (pools.migration() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing a pool we only used for the migration
                }
            }
        }
    }

    /** The database, for stores that share its pools and transaction style. */
    public Database database() {
        return database;
    }

    @Override
    public TrackingStore tracking() {
        return tracking;
    }

    @Override
    public RegistryStore registry() {
        RegistryStore r = registry;
        if (r == null) {
            throw new MlvException(ErrorCode.NOT_IMPLEMENTED, "The model registry is not available on this store yet");
        }
        return r;
    }

    @Override
    public PermissionStore permissions() {
        return permissions;
    }

    @Override
    public UserStore users() {
        return users;
    }

    @Override
    public String displayUri() {
        return database.displayUri();
    }

    @Override
    public void close() {
        database.close();
    }
}
