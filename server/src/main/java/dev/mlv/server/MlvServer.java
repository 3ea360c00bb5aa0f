package dev.mlv.server;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission;
import dev.mlv.server.artifacts.ArtifactEndpoints;
import dev.mlv.server.auth.Authenticator;
import dev.mlv.server.auth.Authorizer;
import dev.mlv.server.auth.PermissionEndpoints;
import dev.mlv.server.security.BrowserSecurity;
import dev.mlv.server.webhooks.WebhookDispatcher;
import dev.mlv.server.tracking.LoggedModelEndpoints;
import dev.mlv.server.tracking.TrackingEndpoints;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.users.UsersFile;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * The tracking server: MLflow's REST API, the artifact proxy and mlv's own endpoints over one metadata store and one
 * artifact store. Stateless: several replicas can share one database and one artifact store.
 */
public final class MlvServer implements AutoCloseable {
    private static final Logger ACCESS = LoggerFactory.getLogger("dev.mlv.server.access");
    private static final Logger LOG = LoggerFactory.getLogger(MlvServer.class);
    public static final String VERSION = MlvServer.class.getPackage().getImplementationVersion() != null
            ? MlvServer.class.getPackage().getImplementationVersion() : "0.1.0-SNAPSHOT";
    /** Where runs' artifacts are addressed: MLflow's proxied-artifact scheme. */
    public static final String DEFAULT_ARTIFACT_ROOT = "mlflow-artifacts:/";
    /** Largest body Javalin's {@code ctx.body()} accepts; artifact uploads stream and are not limited. */
    public static final long MAX_REQUEST_BYTES = 16L * 1024 * 1024;
    /** Bytes Jetty reads from a connection at a time (its default is 8 KiB). */
    static final int INPUT_BUFFER_BYTES = 64 * 1024;
    /** How long {@link #close()} lets requests in flight finish. */
    public static final long STOP_TIMEOUT_MILLIS = 30_000;

    private final ServerContext context;
    private final Javalin app;

    private MlvServer(ServerContext context, Javalin app) {
        this.context = context;
        this.app = app;
    }

    /** Opens the stores (creating and migrating the database) and starts serving; port 0 picks a free port. */
    public static MlvServer start(ServerConfig config) {
        long t0 = System.nanoTime();
        // an empty or malformed users file stops the start before anything is opened
        Authenticator fileAuth = config.authFile() == null ? null : new Authenticator(new UsersFile(config.authFile()),
                "add one with 'mlv users add NAME --admin --auth-file " + config.authFile() + "'");
        Permission defaultPermission = config.authenticates() ? config.effectiveDefaultPermission() : null;
        long grantCacheMillis = config.authenticates() ? Authorizer.grantCacheMillis(System::getenv) : 0;
        // Opening the database (and loading its driver) runs on its own thread while this one opens the artifact
        // store and loads the HTTP classes: start-up takes the longer of the two, not their sum.
        long[] storeMillis = new long[1];
        CompletableFuture<MetadataStore> opening = CompletableFuture.supplyAsync(() -> {
            MetadataStore m = MetadataStores.open(config.effectiveBackendStoreUri(), DEFAULT_ARTIFACT_ROOT);
            storeMillis[0] = (System.nanoTime() - t0) / 1_000_000;
            return m;
        }, task -> {
            Thread t = new Thread(task, "mlv-open-store");
            t.setDaemon(true);
            t.start();
        });
        ArtifactStore artifacts;
        try {
            artifacts = ArtifactStores.open(config.effectiveArtifactsDestination());
            HttpWarmUp.await();
        } catch (RuntimeException | Error e) {
            try {
                awaitStore(opening).close();
            } catch (RuntimeException | Error suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        MetadataStore metadata;
        Authenticator auth;
        try {
            metadata = awaitStore(opening);
        } catch (RuntimeException | Error e) {
            artifacts.close();
            throw e;
        }
        try { // a database without users stops the start: nobody could use the server
            auth = config.usersInDatabase() ? new Authenticator(metadata.users(), "add one with 'mlv users add NAME --admin "
                    + "--backend-store-uri " + metadata.displayUri() + "'") : fileAuth;
        } catch (RuntimeException | Error e) {
            metadata.close();
            artifacts.close();
            throw e;
        }
        ObjectMapper json = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // Python clients send bare NaN / Infinity
                .build();
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Authorizer access = auth == null ? null : new Authorizer(auth, metadata.permissions(), metadata.tracking(),
                defaultPermission, grantCacheMillis, json);
        ServerContext ctx = new ServerContext(config, metadata, artifacts, json, metrics,
                new WebhookDispatcher(metadata.registry(), config.effectiveWebhooks(), json), access);
        // The endpoint groups served; add a group with one line.
        List<Endpoints> groups = List.of(
                new OpsEndpoints(ctx),
                new TrackingEndpoints(ctx),
                new LoggedModelEndpoints(ctx),
                new ArtifactEndpoints(ctx),
                new dev.mlv.server.data.DataEndpoints(ctx),
                new dev.mlv.server.registry.RegistryApi(ctx),
                new dev.mlv.server.webhooks.WebhookEndpoints(ctx),
                new dev.mlv.server.lineage.LineageEndpoints(ctx),
                new PermissionEndpoints(ctx),
                new dev.mlv.server.ui.UiEndpoints(ctx)
        );
        BrowserSecurity.Check browser = config.effectiveBrowserSecurity().checkFor(config.host());
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = MAX_REQUEST_BYTES;
            c.router.ignoreTrailingSlashes = true;
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT_MILLIS);
                if (config.staticPrefix() != null) server.insertHandler(new StaticPrefixHandler(config.staticPrefix()));
                server.insertHandler(new GracefulHandler()); // stop() waits for requests in flight
                server.setErrorHandler(new MlflowErrorHandler()); // errors Jetty raises before any route runs
                server.addEventListener(new org.eclipse.jetty.util.component.LifeCycle.Listener() {
                    @Override
                    public void lifeCycleStarting(org.eclipse.jetty.util.component.LifeCycle event) {
                        // Jetty reads a request 8 KiB per socket read by default; artifact uploads stream faster
                        // in larger reads (connectors exist once Javalin starts the server)
                        for (var connector : server.getConnectors()) {
                            var http = connector.getConnectionFactory(org.eclipse.jetty.server.HttpConnectionFactory.class);
                            if (http != null) http.setInputBufferSize(INPUT_BUFFER_BYTES);
                        }
                    }
                });
            });
            c.appData(dev.mlv.server.ui.UiEndpoints.PREFIX, config.staticPrefix() == null ? "" : config.staticPrefix());
            c.requestLogger.http((cx, ms) -> logRequest(metrics, cx, ms));
            // a registry change may have queued webhook deliveries: look for them now rather than at the next poll
            c.routes.after(cx -> {
                if (cx.method() != io.javalin.http.HandlerType.GET && cx.method() != io.javalin.http.HandlerType.HEAD
                        && (cx.path().contains("/registered-models") || cx.path().contains("/model-versions") || cx.path().startsWith("/ui/model"))) {
                    ctx.webhooks().nudge();
                }
            });
            // web pages first: a DNS-rebound or cross-origin request is refused before anything else reads it
            c.routes.before(browser::handle);
            c.routes.before(MlvServer::rejectDotDotSegments);
            if (auth != null) c.routes.before(auth::check);
            c.routes.before(MlvServer::requireJsonBody);
            if (access != null) {
                c.routes.beforeMatched(access::check);
                c.routes.afterMatched(access::after);
            }
            c.routes.exception(MlvException.class, (e, cx) -> error(cx, e.code(), e.getMessage()));
            c.routes.exception(HttpResponseException.class, (e, cx) -> error(cx, e.getStatus(), codeFor(e.getStatus()), e.getMessage()));
            c.routes.exception(BadMessageException.class, (e, cx) -> error(cx, ErrorCode.INVALID_PARAMETER_VALUE,
                    "Bad request: " + e.getReason()));
            c.routes.exception(Exception.class, (e, cx) -> {
                LOG.error("Unhandled error on {} {}", cx.method(), cx.path(), e);
                error(cx, ErrorCode.INTERNAL_ERROR, "Internal error: " + e.getClass().getSimpleName());
            });
            c.routes.error(404, cx -> {
                if (cx.result() == null || cx.result().isEmpty()) {
                    error(cx, ErrorCode.ENDPOINT_NOT_FOUND, "No endpoint " + cx.method() + " " + cx.path());
                }
            });
            for (Endpoints g : groups) g.register(c.routes);
        });
        headRunsGet(app.unsafe.internalRouter);
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            ctx.webhooks().close();
            metadata.close();
            artifacts.close();
            throw e;
        }
        MlvServer server = new MlvServer(ctx, app);
        LOG.info("mlv {} listening on {} (started in {} ms, of which {} ms opening {})", VERSION, server.url(),
                (System.nanoTime() - t0) / 1_000_000, storeMillis[0], metadata.displayUri());
        return server;
    }

    /**
     * Gives every {@code GET} route without a {@code HEAD} route of its own a {@code HEAD} route with the same handler.
     * Javalin answers a {@code HEAD} of a {@code GET} route itself, 200 with no body, without running the route; MLflow's
     * Flask runs the view and drops the body, so a {@code HEAD} of an unknown run is its 404. Jetty sends a
     * {@code HEAD}'s status and headers and drops the body the handler writes.
     */
    static void headRunsGet(io.javalin.router.InternalRouter router) {
        List<io.javalin.router.Endpoint> all = router.allHttpHandlers().stream().map(p -> p.endpoint).toList();
        java.util.Set<String> ownHead = new java.util.HashSet<>();
        for (var e : all) if (e.method == io.javalin.http.HandlerType.HEAD) ownHead.add(e.path);
        for (var e : all) {
            if (e.method == io.javalin.http.HandlerType.GET && ownHead.add(e.path)) {
                router.addHttpEndpoint(new io.javalin.router.Endpoint(io.javalin.http.HandlerType.HEAD, e.path, e.handler));
            }
        }
    }

    /** The metadata store being opened by {@link #start}, or what prevented it (rethrown as it was thrown). */
    private static MetadataStore awaitStore(CompletableFuture<MetadataStore> opening) {
        try {
            return opening.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    private static void logRequest(PrometheusMeterRegistry metrics, Context cx, Float ms) {
        int status = cx.statusCode();
        if (ACCESS.isInfoEnabled()) {
            long tenths = Math.round(ms * 10); // as %.1f, without a Formatter per request
            String user = cx.attribute(Authenticator.USER_ATTRIBUTE); // a checked user name: no spaces, no controls
            if (user == null) {
                ACCESS.info("{} {} {} {}.{}ms", cx.method(), cx.path(), status, tenths / 10, tenths % 10);
            } else {
                ACCESS.info("{} {} {} {}.{}ms user={}", cx.method(), cx.path(), status, tenths / 10, tenths % 10, user);
            }
        }
        String route = cx.endpoint() != null ? cx.endpoint().path : "unmatched";
        Timer.builder("mlv_http_requests").tag("method", cx.method().name()).tag("route", route)
                .tag("status", Integer.toString(status)).register(metrics)
                .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
    }

    /** Writes MLflow's error body with the HTTP status of its code. */
    public static void error(Context cx, ErrorCode code, String message) {
        error(cx, code.httpStatus(), code, message);
    }

    /** Writes MLflow's error body with an explicit HTTP status. */
    static void error(Context cx, int status, ErrorCode code, String message) {
        if (cx.path().equals("/ui") || cx.path().startsWith("/ui/")) {
            cx.status(status).contentType("text/html; charset=utf-8").result(dev.mlv.server.ui.UiEndpoints.errorPage(cx, status, message));
            return;
        }
        cx.status(status).contentType("application/json").result(errorBody(code, message));
    }

    /** MLflow's error body: {@code {"error_code": "...", "message": "..."}}. */
    public static String errorBody(ErrorCode code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error_code", code.name());
        body.put("message", message == null ? code.name() : message);
        return toJson(body);
    }

    /** The MLflow error code that best names an HTTP status raised outside our handlers. */
    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHENTICATED;
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 404 -> ErrorCode.ENDPOINT_NOT_FOUND;
            case 409 -> ErrorCode.RESOURCE_CONFLICT;
            case 429 -> ErrorCode.REQUEST_LIMIT_EXCEEDED;
            case 501 -> ErrorCode.NOT_IMPLEMENTED;
            case 503 -> ErrorCode.TEMPORARILY_UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
        };
    }

    /**
     * Refuses any request whose raw path holds a {@code ..} segment in any encoding ({@code %2e%2e}, {@code %252e},
     * {@code ..;x}, {@code ..\}) before the container's normalised view of the path can route it somewhere else.
     */
    static void rejectDotDotSegments(Context cx) {
        String raw = cx.req().getRequestURI();
        if (raw == null || (raw.indexOf('.') < 0 && raw.indexOf('%') < 0)) return;
        String decoded = ArtifactPath.decodeFully(raw);
        for (String segment : decoded.split("[/\\\\]")) {
            int semicolon = segment.indexOf(';');
            if ((semicolon < 0 ? segment : segment.substring(0, semicolon)).equals("..")) {
                throw MlvException.invalid("Invalid path '" + raw + "': '..' segment");
            }
        }
    }

    /**
     * MLflow accepts POST and PUT bodies of its JSON API only as {@code application/json} (CVE-2023-43472: a
     * cross-origin {@code text/plain} POST needs no CORS preflight, so a web page could otherwise drive the API).
     */
    static void requireJsonBody(Context cx) {
        HandlerType m = cx.method();
        if (m != HandlerType.POST && m != HandlerType.PUT) return;
        String path = cx.req().getRequestURI();
        if (!path.startsWith(Endpoints.MLFLOW_API) && !path.startsWith(Endpoints.MLFLOW_AJAX_API)) return;
        String type = cx.req().getContentType();
        if (type == null || type.isBlank()) throw MlvException.invalid("Bad Request. Content-Type header is missing.");
        String base = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!base.equals("application/json")) {
            throw MlvException.invalid("Bad Request. Content-Type must be one of ['application/json'].");
        }
    }

    private static String toJson(Map<String, String> body) {
        try {
            return new ObjectMapper().writeValueAsString(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return app.port();
    }

    /** {@code http://host:port} of this server, and its static prefix if it has one: what clients are given. */
    public String url() {
        String host = context.config().host();
        if (host.equals("0.0.0.0")) host = "127.0.0.1";
        String prefix = context.config().staticPrefix();
        return "http://" + host + ":" + port() + (prefix == null ? "" : prefix);
    }

    public ServerContext context() {
        return context;
    }

    /** Every route served, as {@code METHOD path} (e.g. {@code GET /api/2.0/mlflow/runs/get}). */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream().map(p -> p.endpoint)
                .filter(e -> e.method.isHttpMethod())
                .map(e -> e.method.name() + " " + e.path).distinct().sorted().toList();
    }

    /** Stops accepting requests, lets those in flight finish, then closes the stores. */
    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            try {
                context.webhooks().close();
                context.artifacts().close();
            } finally {
                context.metadata().close();
            }
        }
    }
}
