package dev.mlv.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final ServerContext context;
    private final Javalin app;

    private MlvServer(ServerContext context, Javalin app) {
        this.context = context;
        this.app = app;
    }

    /** Opens the stores (creating and migrating the database) and starts serving; port 0 picks a free port. */
    public static MlvServer start(ServerConfig config) {
        MetadataStore metadata = MetadataStores.open(config.effectiveBackendStoreUri(), DEFAULT_ARTIFACT_ROOT);
        ArtifactStore artifacts;
        try {
            artifacts = ArtifactStores.open(config.effectiveArtifactsDestination());
        } catch (RuntimeException e) {
            metadata.close();
            throw e;
        }
        ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ServerContext ctx = new ServerContext(config, metadata, artifacts, json, metrics);
        List<Endpoints> groups = List.of(
                new OpsEndpoints(ctx)
        );
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = 1_000_000L;
            c.router.ignoreTrailingSlashes = true;
            c.requestLogger.http((cx, ms) -> logRequest(metrics, cx, ms));
            c.routes.exception(MlvException.class, (e, cx) -> error(cx, e.code(), e.getMessage()));
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
        try {
            app.start(config.host(), config.port());
        } catch (RuntimeException e) {
            metadata.close();
            artifacts.close();
            throw e;
        }
        return new MlvServer(ctx, app);
    }

    private static void logRequest(PrometheusMeterRegistry metrics, Context cx, Float ms) {
        int status = cx.statusCode();
        ACCESS.info("{} {} {} {}ms", cx.method(), cx.path(), status, String.format("%.1f", ms));
        String route = cx.endpoint() != null ? cx.endpoint().path : "unmatched";
        Timer.builder("mlv_http_requests").tag("method", cx.method().name()).tag("route", route)
                .tag("status", Integer.toString(status)).register(metrics)
                .record((long) (ms * 1_000_000), TimeUnit.NANOSECONDS);
    }

    /** Writes MLflow's error body with the HTTP status of its code. */
    public static void error(Context cx, ErrorCode code, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error_code", code.name());
        body.put("message", message == null ? code.name() : message);
        cx.status(code.httpStatus()).contentType("application/json").result(toJson(body));
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

    /** {@code http://host:port} of this server. */
    public String url() {
        String host = context.config().host();
        if (host.equals("0.0.0.0")) host = "127.0.0.1";
        return "http://" + host + ":" + port();
    }

    public ServerContext context() {
        return context;
    }

    /** Stops accepting requests, lets those in flight finish, then closes the stores. */
    @Override
    public void close() {
        app.stop();
        context.artifacts().close();
        context.metadata().close();
    }
}
