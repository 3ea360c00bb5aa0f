package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * One metadata database: its dialect, its pools and the transaction style every JDBC store uses. {@link #read} runs a
 * unit of work on a reader connection in one read transaction (a consistent snapshot); {@link #write} runs it in one
 * write transaction that commits when the work returns and rolls back when it throws. Shared by the tracking and the
 * registry stores so both use the same pools and the same rules.
 */
public final class Database implements AutoCloseable {
    /** A unit of work on a connection; the connection is managed by {@link Database}. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private static final int WRITE_ATTEMPTS = 3;

    private final Dialect dialect;
    private final String uri;
    private final DataSource readers;
    private final DataSource writers;

    private Database(Dialect dialect, String uri, DataSource readers, DataSource writers) {
        this.dialect = dialect;
        this.uri = uri;
        this.readers = readers;
        this.writers = writers;
    }

    /**
     * Opens the database at {@code uri}, creating it if needed and migrating it to the newest schema (Flyway runs only
     * when the schema is not already current, see {@link Migrations#migrateIfNeeded}; a new SQLite file starts as a
     * copy of the {@link SqliteTemplate}).
     */
    public static Database open(String uri) {
        Dialect dialect = Dialect.forUri(uri);
        if (dialect == Dialect.SQLITE) SqliteTemplate.createIfMissing(Dialect.sqlitePath(uri));
        Dialect.Pools pools = dialect.openPools(uri);
        try {
            Migrations.migrateIfNeeded(pools.migration(), dialect, dialect.displayUri(uri));
        } catch (RuntimeException e) {
            closeQuietly(pools.migration());
            throw e;
        }
        DataSource writers = pools.writers().get();
        DataSource readers = pools.readers().get();
        return new Database(dialect, uri, readers, writers);
    }

    public Dialect dialect() {
        return dialect;
    }

    public String displayUri() {
        return dialect.displayUri(uri);
    }

    /** The pool for reads (on PostgreSQL the same as {@link #writeDataSource()}). */
    public DataSource readDataSource() {
        return readers;
    }

    /** The pool for writes (on SQLite a single connection: writes are serialized). */
    public DataSource writeDataSource() {
        return writers;
    }

    /** Runs {@code work} in a read transaction. */
    public <T> T read(Work<T> work) {
        return inTransaction(readers, work, 1);
    }

    /**
     * Runs {@code work} in a write transaction. A unique-key violation from a concurrent writer (possible on
     * PostgreSQL) retries the whole unit of work, so check-then-insert logic sees the other writer's row.
     */
    public <T> T write(Work<T> work) {
        return inTransaction(writers, work, WRITE_ATTEMPTS);
    }

    private <T> T inTransaction(DataSource ds, Work<T> work, int attempts) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    try {
                        c.rollback();
                    } catch (SQLException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                    throw e;
                } finally {
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException broken) {
                        // the connection died (the pool discards it); keep the exception that says why
                    }
                }
            } catch (SQLException e) {
                if (attempt < attempts && dialect.isUniqueViolation(e)) continue;
                if (isConnectionFailure(e)) {
                    throw new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                            "The metadata database is unavailable, retry later: " + e.getMessage(), e);
                }
                throw new MlvException(ErrorCode.INTERNAL_ERROR, "Database error: " + e.getMessage(), e);
            }
        }
    }

    /**
     * True when {@code e} (or a cause) says the database cannot be reached or dropped the connection: no connection
     * from the pool in time, SQLState class 08 (connection exception) or 57P0x (server shutting down / starting up).
     * Such requests are answered {@code TEMPORARILY_UNAVAILABLE} (HTTP 503): the client may retry.
     */
    public static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException
                    || t instanceof java.net.ConnectException) return true;
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P0"))) return true;
        }
        return false;
    }

    public boolean isUniqueViolation(SQLException e) {
        return dialect.isUniqueViolation(e);
    }

    @Override
    public void close() {
        closeQuietly(readers);
        if (writers != readers) closeQuietly(writers);
    }

    private static void closeQuietly(DataSource ds) {
        if (ds instanceof AutoCloseable a) {
            try {
                a.close();
            } catch (Exception ignored) {
                // closing
            }
        }
    }
}
