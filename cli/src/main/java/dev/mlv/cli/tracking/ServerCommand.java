package dev.mlv.cli.tracking;

import dev.mlv.cli.Env;
import dev.mlv.cli.Output;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code mlv server}: runs the tracking server in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the tracking server (MLflow REST API, artifact proxy, model registry) in the foreground.",
                "Embedded default: SQLite at <home>/mlv.db and artifacts under <home>/artifacts.",
                "Stops gracefully (requests in flight finish) on SIGTERM or Ctrl-C."},
        footerHeading = "%nEnvironment:%n",
        footer = {
                "  MLV_S3_ENDPOINT_URL            S3-compatible endpoint (MinIO, Ceph, ...)",
                "  MLV_AUTH_CACHE_MILLIS          how long a replica remembers a user's grants",
                "                                 (default 1000; 0: ask the database every time)",
                "  MLV_WEBHOOK_ALLOWED_SCHEMES    webhook URL schemes (default: https)",
                "  MLV_WEBHOOK_ALLOW_PRIVATE_IPS  true: webhooks may reach private addresses",
                "  MLV_WEBHOOK_SECRET_ENCRYPTION_KEY",
                "                                 encrypts webhook secrets in the database",
                "MLflow's MLFLOW_S3_ENDPOINT_URL and MLFLOW_WEBHOOK_* names work too."})
public final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:MLV_HOST:-127.0.0.1}",
            description = "Address to bind (env MLV_HOST; default: ${DEFAULT-VALUE}). Use 0.0.0.0 to listen on all interfaces.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:MLV_PORT:-5000}", converter = dev.mlv.cli.PortConverter.class,
            description = "Port to listen on, 0 for a free one (env MLV_PORT; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--home", paramLabel = "DIR",
            description = "Folder for the embedded database and artifacts (env MLV_HOME; default: ~/.mlv).")
    Path home;

    @Option(names = "--backend-store-uri", paramLabel = "URI",
            description = "Metadata store: sqlite:///path/mlv.db or postgresql://host:port/db "
                    + "(env MLV_BACKEND_STORE_URI; default: sqlite:///<home>/mlv.db).")
    String backendStoreUri;

    @Option(names = "--artifacts-destination", paramLabel = "URI",
            description = "Artifact store: a local folder, file:///path or s3://bucket/prefix "
                    + "(env MLV_ARTIFACTS_DESTINATION; default: <home>/artifacts).")
    String artifactsDestination;

    @Option(names = "--auth", description = "Require HTTP Basic authentication as a user of the metadata database "
            + "(added with 'mlv users add', shared by every replica; env MLV_AUTH=true). The authenticated user is the "
            + "one the audit log records. Default: no authentication.")
    boolean auth;

    @Option(names = "--app-name", paramLabel = "basic-auth", description = "MLflow's spelling of --auth: "
            + "'--app-name basic-auth'.")
    String appName;

    @Option(names = "--auth-file", paramLabel = "FILE",
            description = "Require HTTP Basic authentication as a user of FILE instead (written by 'mlv users add "
                    + "--auth-file FILE'; env MLV_AUTH_FILE).")
    Path authFile;

    @Option(names = "--default-permission", paramLabel = "PERMISSION",
            description = "With --auth or --auth-file: what users may do with an experiment or registered model they have no "
                    + "grant on: READ (default), EDIT, MANAGE or NO_PERMISSIONS (env MLV_AUTH_DEFAULT_PERMISSION). "
                    + "Grant more with 'mlv permissions grant'.")
    String defaultPermission;

    /** Training run for the launcher's class-data-sharing archive: start, answer one GET /health, stop, exit 0. */
    @Option(names = "--exit-when-ready", hidden = true)
    boolean exitWhenReady;

    /** The configuration from flags, then {@code MLV_*} variables, then defaults. */
    ServerConfig config() {
        Path h = home != null ? home : ServerConfig.defaultHome();
        String users = Env.orEnv(authFile == null ? null : authFile.toString(), "MLV_AUTH_FILE");
        if (appName != null && !appName.equals("basic-auth")) {
            throw MlvException.invalid("Unknown --app-name '" + appName + "': mlv has 'basic-auth' (the same as --auth)");
        }
        ServerConfig config = new ServerConfig(host, port, h.toAbsolutePath().normalize(),
                Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI"), Env.orEnv(artifactsDestination, "MLV_ARTIFACTS_DESTINATION"),
                users == null ? null : Path.of(users).toAbsolutePath())
                .withDefaultPermission(defaultPermission == null ? null : Permission.parse(defaultPermission));
        boolean inDatabase = auth || appName != null || "true".equalsIgnoreCase(Env.orEnv(null, "MLV_AUTH"));
        return inDatabase ? config.withUsersInDatabase() : config;
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        MlvServer server = MlvServer.start(config);
        if (exitWhenReady) {
            try (server) {
                return selfCheck(server) ? 0 : 1;
            }
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "mlv-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        new Output(spec.commandLine().getOut()).println("mlv server " + MlvServer.VERSION + " listening on "
                + server.url() + " (store: " + dev.mlv.store.MetadataStores.masked(config.effectiveBackendStoreUri()) + ", artifacts: "
                + config.effectiveArtifactsDestination() + (config.authenticates() ? ", users: " + (config.authFile() != null ? config.authFile() : "in the database") + ", default permission: "
                + server.context().access().defaultPermission() : "") + "); web UI: " + server.url() + "/ui");
        stopped.await();
        return 0;
    }

    /** One GET /health against the running server, so the request path's classes load too. */
    private static boolean selfCheck(MlvServer server) throws Exception {
        HttpURLConnection c = (HttpURLConnection) URI.create(server.url() + "/health").toURL().openConnection();
        try {
            c.getInputStream().readAllBytes();
            return c.getResponseCode() == 200;
        } finally {
            c.disconnect();
        }
    }
}
