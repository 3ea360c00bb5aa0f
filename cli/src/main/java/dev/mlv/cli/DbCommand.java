package dev.mlv.cli;

import dev.mlv.server.ServerConfig;
import dev.mlv.store.jdbc.JdbcMetadataStore;
import dev.mlv.store.jdbc.Migrations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code mlv db}: maintenance of the metadata database. */
@Command(name = "db", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Maintain the metadata database (SQLite or PostgreSQL).",
        subcommands = DbCommand.Upgrade.class)
public final class DbCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code mlv db upgrade}: applies the schema migrations this binary has, and nothing else. */
    @Command(name = "upgrade", mixinStandardHelpOptions = true,
            description = {"Upgrade the schema of the metadata database to this version of mlv.",
                    "Servers also upgrade on start; run this first to upgrade explicitly, e.g. before rolling out",
                    "new replicas. Fails, changing nothing, when the schema is newer than this mlv."})
    public static final class Upgrade implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--backend-store-uri", paramLabel = "URI",
                description = "sqlite:///path/mlv.db or postgresql://user:password@host:port/db "
                        + "(env MLV_BACKEND_STORE_URI; default: sqlite:///<home>/mlv.db with home $MLV_HOME or ~/.mlv).")
        String backendStoreUri;

        @Override
        public Integer call() {
            String uri = Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI");
            if (uri == null) uri = ServerConfig.forHome(ServerConfig.defaultHome()).effectiveBackendStoreUri();
            Migrations.Result r = JdbcMetadataStore.upgrade(uri);
            String shown = dev.mlv.store.MetadataStores.masked(uri);
            Output out = new Output(spec.commandLine().getOut());
            if (r.applied() == 0) {
                out.println("Database " + shown + " is up to date (schema " + r.toVersion() + ").");
            } else {
                out.println("Upgraded database " + shown + " from schema " + (r.fromVersion() == null ? "(empty)" : r.fromVersion())
                        + " to " + r.toVersion() + " (" + r.applied() + " migration" + (r.applied() == 1 ? "" : "s") + " applied).");
            }
            return 0;
        }
    }
}
