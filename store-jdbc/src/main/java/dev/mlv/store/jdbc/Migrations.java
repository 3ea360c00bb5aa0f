package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The schema of a metadata database: the Flyway migrations under {@code db/migration} (shared by every dialect, with
 * the dialect's placeholders), applied in order. Refuses a database whose schema is newer than this binary knows, so an
 * old mlv never writes into a schema it does not understand. On PostgreSQL Flyway holds an advisory lock while it
 * migrates, so replicas starting together migrate once.
 */
public final class Migrations {
    /**
     * The version of the newest migration under {@code db/migration}, so opening a current database needs no Flyway
     * (whose start-up and classpath scan cost seconds). {@code MigrationsTest} checks it against the files: bump it
     * with every new migration.
     */
    static final String LATEST_VERSION = "7.0";

    private Migrations() {
    }

    /** What an upgrade did: the schema version before and after, and the number of migrations applied. */
    public record Result(String fromVersion, String toVersion, int applied) {
    }

    /**
     * Migrates the database behind {@code dataSource} to the newest schema this binary has; throws
     * {@code INVALID_STATE} when the database is already newer, {@code TEMPORARILY_UNAVAILABLE} when it cannot be
     * reached, {@code INTERNAL_ERROR} for a failed migration.
     */
    public static Result migrate(DataSource dataSource, Dialect dialect, String displayUri) {
        return migrate(dataSource, dialect, displayUri, true);
    }

    /** {@code inspect}: read the history first (to refuse a newer schema); pointless on a database without one. */
    private static Result migrate(DataSource dataSource, Dialect dialect, String displayUri, boolean inspect) {
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.flywayPlaceholders())
                .load();
        try {
            String before = null;
            if (inspect) {
                MigrationInfoService info = flyway.info();
                refuseNewerSchema(info, displayUri);
                before = versionOf(info.current());
            }
            MigrateResult result = flyway.migrate();
            String after = result.targetSchemaVersion != null ? result.targetSchemaVersion : before;
            return new Result(before, after, result.migrationsExecuted);
        } catch (FlywayException e) {
            if (Database.isConnectionFailure(e)) {
                throw new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Cannot reach the database " + displayUri
                        + ": " + rootMessage(e), e);
            }
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot migrate the database " + displayUri + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Like {@link #migrate}, but first checks with one plain query whether the schema is already exactly
     * {@link #LATEST_VERSION} (every applied migration succeeded, none is newer); then Flyway is skipped. Anything
     * else (a new or older database, a failed or newer migration, an unreadable history) goes through {@link #migrate},
     * which migrates or reports the problem.
     */
    public static Result migrateIfNeeded(DataSource dataSource, Dialect dialect, String displayUri) {
        return switch (history(dataSource)) {
            case CURRENT -> new Result(LATEST_VERSION, LATEST_VERSION, 0);
            case NONE -> migrate(dataSource, dialect, displayUri, false); // nothing applied, so nothing can be newer
            case OTHER -> migrate(dataSource, dialect, displayUri);
        };
    }

    /** What Flyway's history table says, read with one plain query. */
    enum History {
        /** The schema is {@link #LATEST_VERSION}, with nothing failed, undone or newer. */
        CURRENT,
        /** There is no history table: a new database (or one Flyway will refuse to touch, and explain why). */
        NONE,
        /** Anything else: older, newer, failed, or not readable. */
        OTHER
    }

    static History history(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, type, success FROM flyway_schema_history")) {
            String highest = null;
            while (rs.next()) {
                String version = rs.getString(1);
                String type = String.valueOf(rs.getString(2)).toUpperCase(Locale.ROOT);
                if (!rs.getBoolean(3) || type.startsWith("UNDO") || type.equals("DELETE")) return History.OTHER;
                if (version == null) continue; // a repeatable migration or a schema marker
                if (highest == null || compareVersions(version, highest) > 0) highest = version;
            }
            return highest != null && compareVersions(highest, LATEST_VERSION) == 0 ? History.CURRENT : History.OTHER;
        } catch (SQLException e) {
            // SQLite says "no such table", PostgreSQL gives SQLSTATE 42P01 (undefined_table)
            boolean missing = "42P01".equals(e.getSQLState()) || String.valueOf(e.getMessage()).contains("no such table");
            return missing ? History.NONE : History.OTHER;
        } catch (RuntimeException e) {
            return History.OTHER; // not readable: let Flyway migrate or explain
        }
    }

    /** Compares Flyway versions ({@code 1.0}, {@code 2_1}, {@code 10}) numerically part by part; {@code 2 == 2.0}. */
    static int compareVersions(String a, String b) {
        String[] x = a.trim().split("[._]");
        String[] y = b.trim().split("[._]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            BigInteger p = i < x.length ? new BigInteger(x[i]) : BigInteger.ZERO;
            BigInteger q = i < y.length ? new BigInteger(y[i]) : BigInteger.ZERO;
            int cmp = p.compareTo(q);
            if (cmp != 0) return cmp;
        }
        return 0;
    }

    static void refuseNewerSchema(MigrationInfoService info, String displayUri) {
        Optional<MigrationInfo> future = Arrays.stream(info.applied())
                .filter(i -> i.getState() == MigrationState.FUTURE_SUCCESS || i.getState() == MigrationState.FUTURE_FAILED)
                .reduce((a, b) -> b);
        if (future.isPresent()) {
            String known = Arrays.stream(info.all()).filter(MigrationInfo::isVersioned)
                    .filter(i -> i.getState().isResolved()).reduce((a, b) -> b)
                    .map(i -> i.getVersion().toString()).orElse("none");
            throw new MlvException(ErrorCode.INVALID_STATE, "The database " + displayUri + " has schema version "
                    + future.get().getVersion() + ", newer than this mlv " + "understands (up to " + known
                    + "): upgrade mlv, or use another database");
        }
    }

    private static String versionOf(MigrationInfo current) {
        return current == null || current.getVersion() == null ? null : current.getVersion().toString();
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
