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
import java.util.Arrays;
import java.util.Optional;

/**
 * The schema of a metadata database: the Flyway migrations under {@code db/migration} (shared by every dialect, with
 * the dialect's placeholders), applied in order. Refuses a database whose schema is newer than this binary knows, so an
 * old mlv never writes into a schema it does not understand. On PostgreSQL Flyway holds an advisory lock while it
 * migrates, so replicas starting together migrate once.
 */
public final class Migrations {
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
        Flyway flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.flywayPlaceholders())
                .load();
        try {
            MigrationInfoService info = flyway.info();
            refuseNewerSchema(info, displayUri);
            String before = versionOf(info.current());
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
