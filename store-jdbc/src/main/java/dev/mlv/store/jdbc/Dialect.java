package dev.mlv.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.store.MetadataStores;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/**
 * Everything that differs between the SQL databases mlv runs on, in one place: how a backend-store URI becomes
 * connection pools, the Flyway placeholders of the shared migrations, and how a few errors are recognised. The SQL of
 * the stores themselves is portable (standard SQL plus {@code INSERT … ON CONFLICT}, which SQLite and PostgreSQL share).
 */
public enum Dialect {
    /**
     * Embedded SQLite: one writer connection (writes are serialized in-process and take the database lock up front with
     * {@code BEGIN IMMEDIATE}, so they never deadlock on lock upgrades; other processes wait up to the busy timeout) and
     * a pool of reader connections that run in parallel thanks to WAL mode.
     */
    SQLITE {
        @Override
        Pools openPools(String uri) {
            Path file = sqlitePath(uri);
            try {
                if (file.getParent() != null) Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw MlvException.invalid("Cannot create the folder of the SQLite database " + file + ": " + e.getMessage());
            }
            SqliteNativeLibrary.useCachedCopy();
            String url = "jdbc:sqlite:" + file;
            SQLiteDataSource migration = sqlite(url, SQLiteConfig.TransactionMode.DEFERRED, false);
            HikariConfig w = new HikariConfig();
            w.setPoolName("mlv-sqlite-writer");
            w.setDataSource(sqlite(url, SQLiteConfig.TransactionMode.IMMEDIATE, false));
            w.setMaximumPoolSize(1);
            w.setMinimumIdle(1);
            w.setConnectionTimeout(120_000);
            HikariConfig r = new HikariConfig();
            r.setPoolName("mlv-sqlite-reader");
            r.setDataSource(sqlite(url, SQLiteConfig.TransactionMode.DEFERRED, false));
            r.setMaximumPoolSize(Math.max(4, Math.min(16, Runtime.getRuntime().availableProcessors() * 2)));
            r.setMinimumIdle(1);
            r.setConnectionTimeout(60_000);
            // The migration must come first: it creates the file and switches it to WAL before readers open it.
            return new Pools(migration, () -> new HikariDataSource(r), () -> new HikariDataSource(w));
        }

        @Override
        Map<String, String> flywayPlaceholders() {
            return Map.of("string_value_index", "value");
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            String m = String.valueOf(e.getMessage());
            return e.getErrorCode() == 19 && (m.contains("UNIQUE") || m.contains("PRIMARY KEY"));
        }

        @Override
        String displayUri(String uri) {
            return uri;
        }
    },

    /**
     * PostgreSQL ({@code postgresql://user:password@host:port/db}, see {@link PostgresUri}): one HikariCP pool for reads
     * and writes; the database serializes conflicting writes itself. Connections are awaited at most a few seconds,
     * so requests fail fast with {@code TEMPORARILY_UNAVAILABLE} while the database is down, and the pool replaces
     * broken connections once it is back.
     */
    POSTGRESQL {
        @Override
        Pools openPools(String uri) {
            PostgresUri pg = PostgresUri.parse(uri);
            HikariConfig c = new HikariConfig();
            c.setPoolName("mlv-postgresql");
            c.setJdbcUrl(pg.jdbcUrl());
            if (pg.user() != null) c.setUsername(pg.user());
            if (pg.password() != null) c.setPassword(pg.password());
            c.setMaximumPoolSize(poolSize());
            c.setMinimumIdle(Math.min(2, poolSize()));
            c.setConnectionTimeout(5_000);
            c.setValidationTimeout(2_000);
            c.addDataSourceProperty("ApplicationName", "mlv");
            c.addDataSourceProperty("connectTimeout", "5");
            c.addDataSourceProperty("tcpKeepAlive", "true");
            try {
                HikariDataSource ds = new HikariDataSource(c);
                return new Pools(ds, () -> ds, () -> ds);
            } catch (RuntimeException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                throw new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Cannot connect to the database "
                        + pg.display() + ": " + cause.getMessage(), e);
            }
        }

        /** {@code MLV_DB_POOL_SIZE}, default 16 connections per server. */
        private int poolSize() {
            String v = System.getenv("MLV_DB_POOL_SIZE");
            try {
                return v == null || v.isBlank() ? 16 : Math.max(1, Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                throw MlvException.invalid("MLV_DB_POOL_SIZE must be a number, not '" + v + "'");
            }
        }

        @Override
        Map<String, String> flywayPlaceholders() {
            // B-tree entries are limited to ~2.7 kB; index a prefix, and compare it too (see textEquals).
            return Map.of("string_value_index", "left(value, 512)");
        }

        @Override
        void appendTextEquals(SqlBuilder b, String column, String value) {
            b.sql("left(" + column + ", 512) = left(?, 512)", value).sql(" AND " + column + " = ?", value);
        }

        @Override
        boolean isUniqueViolation(SQLException e) {
            return "23505".equals(e.getSQLState());
        }

        @Override
        String displayUri(String uri) {
            return MetadataStores.masked(uri);
        }
    };

    /** The pools of one database: the migration data source is used once, before the others are opened. */
    record Pools(DataSource migration, java.util.function.Supplier<DataSource> readers,
                 java.util.function.Supplier<DataSource> writers) {
    }

    abstract Pools openPools(String uri);

    /** Placeholders substituted into the Flyway migrations ({@code ${name}}). */
    abstract Map<String, String> flywayPlaceholders();

    /** Appends an equality test of a TEXT column with {@code value} that uses the (key, value) indexes. */
    void appendTextEquals(SqlBuilder b, String column, String value) {
        b.sql(column + " = ?", value);
    }

    /** True when {@code e} is a unique or primary-key violation (a concurrent insert of the same row). */
    abstract boolean isUniqueViolation(SQLException e);

    abstract String displayUri(String uri);

    /** The dialect of a backend-store URI, by scheme. */
    public static Dialect forUri(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("sqlite:")) return SQLITE;
        if (PostgresUri.handles(uri)) return POSTGRESQL;
        throw MetadataStores.unsupported(uri);
    }

    /**
     * The file of a {@code sqlite:} URI, with SQLAlchemy's (and so MLflow's) rules: {@code sqlite:///rel/mlv.db} is
     * relative to the working directory, {@code sqlite:////abs/mlv.db} is absolute; {@code sqlite://mlv.db} is also
     * taken as relative. A query string is ignored.
     */
    public static Path sqlitePath(String uri) {
        String rest = uri.substring("sqlite:".length());
        int q = rest.indexOf('?');
        if (q >= 0) rest = rest.substring(0, q);
        if (rest.startsWith("//")) rest = rest.substring(2);
        if (rest.startsWith("/")) rest = rest.substring(1);
        if (rest.isEmpty() || rest.equals(":memory:")) {
            throw MlvException.invalid("In-memory SQLite ('" + uri + "') is not supported: give a file, e.g. sqlite:///mlv.db");
        }
        return Path.of(rest).toAbsolutePath().normalize();
    }

    private static SQLiteDataSource sqlite(String url, SQLiteConfig.TransactionMode mode, boolean readOnly) {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        cfg.setBusyTimeout(30_000);
        cfg.enableCaseSensitiveLike(true);
        cfg.setTempStore(SQLiteConfig.TempStore.MEMORY);
        cfg.setCacheSize(-65_536);
        cfg.setTransactionMode(mode);
        if (readOnly) cfg.setReadOnly(true);
        SQLiteDataSource ds = new SQLiteDataSource(cfg);
        ds.setUrl(url);
        return ds;
    }
}
