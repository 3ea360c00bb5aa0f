package dev.mlv.cli.tracking;

import dev.mlv.cli.Env;
import dev.mlv.cli.Output;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.security.BrowserSecurity;
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
                "MLflow's MLFLOW_S3_ENDPOINT_URL, MLFLOW_WEBHOOK_* and MLFLOW_SERVER_* names work too."})
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

    @Option(names = "--default-artifact-root", paramLabel = "URI", description = "MLflow's option, for start scripts "
            + "written for it: mlv always proxies artifacts (runs report mlflow-artifacts:/ URIs), so a storage URI here "
            + "is where they are stored, as --artifacts-destination; mlflow-artifacts:/ itself changes nothing.")
    String defaultArtifactRoot;

    @Option(names = "--serve-artifacts", description = "MLflow's option: accepted for its start scripts; mlv always "
            + "serves artifacts.")
    boolean serveArtifacts;

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

    @Option(names = "--static-prefix", paramLabel = "PREFIX", description = "Serve everything under this path, e.g. "
            + "/mlflow behind a proxy that forwards that sub-path: the API at /mlflow/api/…, the UI at /mlflow/ui; clients "
            + "then use http://host:port/mlflow (env MLV_STATIC_PREFIX or MLflow's MLFLOW_STATIC_PREFIX).")
    String staticPrefix;

    @Option(names = "--allowed-hosts", paramLabel = "HOSTS",
            description = "Host headers the server answers, comma-separated; '*' in a name matches anything, "
                    + "'mlv.example.com:*' any port, '*' alone every host (env MLV_SERVER_ALLOWED_HOSTS). Loopback is always "
                    + "allowed. Default: private IP addresses and the --host name. Protects against DNS rebinding: a web "
                    + "page cannot reach the server under its own name.")
    String allowedHosts;

    @Option(names = "--cors-allowed-origins", paramLabel = "ORIGINS",
            description = "Web origins (e.g. https://app.example.com, https://*.example.com, or '*') whose pages may "
                    + "call the API from a browser, comma-separated (env MLV_SERVER_CORS_ALLOWED_ORIGINS). Loopback origins "
                    + "and the server's own pages always may. Default: no others.")
    String corsAllowedOrigins;

    @Option(names = "--x-frame-options", paramLabel = "VALUE",
            description = "X-Frame-Options of every answer: SAMEORIGIN (default), DENY, or NONE to send none "
                    + "(env MLV_SERVER_X_FRAME_OPTIONS).")
    String xFrameOptions;

    @Option(names = "--disable-security-middleware",
            description = "Turn off the Host, Origin and frame checks above (env MLV_SERVER_DISABLE_SECURITY_MIDDLEWARE=true); "
                    + "only behind a proxy that does them.")
    boolean disableSecurityMiddleware;

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
                Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI"), Env.orEnv(destination(), "MLV_ARTIFACTS_DESTINATION"),
                users == null ? null : Path.of(users).toAbsolutePath())
                .withDefaultPermission(defaultPermission == null ? null : Permission.parse(defaultPermission));
        BrowserSecurity env = BrowserSecurity.fromEnvironment(System::getenv);
        config = config.withBrowserSecurity(new BrowserSecurity(
                allowedHosts != null ? BrowserSecurity.list(allowedHosts) : env.allowedHosts(),
                corsAllowedOrigins != null ? BrowserSecurity.list(corsAllowedOrigins) : env.corsAllowedOrigins(),
                xFrameOptions != null ? xFrameOptions : env.frameOptions(), disableSecurityMiddleware || env.disabled()));
        String prefix = Env.orEnv(staticPrefix, "MLV_STATIC_PREFIX");
        config = config.withStaticPrefix(prefix != null ? prefix : Env.orEnv(null, "MLFLOW_STATIC_PREFIX"));
        boolean inDatabase = auth || appName != null || "true".equalsIgnoreCase(Env.orEnv(null, "MLV_AUTH"));
        return inDatabase ? config.withUsersInDatabase() : config;
    }

    /** {@code --artifacts-destination}, or a storage URI given as MLflow's {@code --default-artifact-root}. */
    private String destination() {
        if (defaultArtifactRoot == null || defaultArtifactRoot.isBlank() || defaultArtifactRoot.trim().startsWith("mlflow-artifacts:")) {
            return artifactsDestination;
        }
        if (artifactsDestination != null) {
            throw MlvException.invalid("Both --artifacts-destination and --default-artifact-root name where artifacts go: give one");
        }
        return defaultArtifactRoot.trim();
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
