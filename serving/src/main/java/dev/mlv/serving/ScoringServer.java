package dev.mlv.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * MLflow's scoring protocol over the model in a {@link ModelSlot}: {@code GET /ping}, {@code /health},
 * {@code /version}, {@code /metrics} and {@code POST /invocations} (JSON or CSV). Every answer names the model
 * version that computed it in {@code X-Mlv-Model-Name} / {@code X-Mlv-Model-Version}.
 */
public final class ScoringServer implements AutoCloseable {
    public static final String NAME_HEADER = "X-Mlv-Model-Name";
    public static final String VERSION_HEADER = "X-Mlv-Model-Version";
    public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
    /** Largest refused body still read to its end before the refusal is sent. */
    static final long MAX_DRAINED_BYTES = 64L * 1024 * 1024;
    static final Logger ACCESS = LoggerFactory.getLogger("dev.mlv.serving.access");
    private static final Logger LOG = LoggerFactory.getLogger(ScoringServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VERSION = ScoringServer.class.getPackage().getImplementationVersion() != null
            ? ScoringServer.class.getPackage().getImplementationVersion() : "0.1.0-SNAPSHOT";

    /** Where and how to listen. */
    public record Options(String host, int port, long maxBodyBytes) {
        public static Options defaults(String host, int port) {
            return new Options(host, port, DEFAULT_MAX_BODY_BYTES);
        }
    }

    private final ModelSlot slot = new ModelSlot();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer latency;
    private final MultiGauge loaded;
    private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile Counter ok;
    private final long maxBody;
    private final Javalin app;

    private ScoringServer(Options o) {
        this.maxBody = o.maxBodyBytes();
        this.latency = Timer.builder("mlv_serving_invocation_latency").description("Time to answer POST /invocations")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).register(metrics);
        this.loaded = MultiGauge.builder("mlv_serving_model_loaded")
                .description("1 for the model version being served").register(metrics);
        Gauge.builder("mlv_serving_model_version", slot, s -> {
            LoadedModel m = s.peek();
            if (m == null) return Double.NaN;
            try {
                return Double.parseDouble(m.version());
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }).description("Version number of the model being served").register(metrics);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = maxBody;
            c.router.ignoreTrailingSlashes = true;
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(10_000);
                // POST /invocations is answered in front of Javalin (see InvocationsHandler); Graceful stays outermost
                server.insertHandler(new InvocationsHandler(this));
                server.insertHandler(new org.eclipse.jetty.server.handler.GracefulHandler()); // stop() lets requests finish
            });
            c.requestLogger.http((cx, ms) -> {
                if (ACCESS.isInfoEnabled()) ACCESS.info("{} {} {} {}ms", cx.method(), cx.path(), cx.statusCode(), tenths(ms));
            });
            c.routes.before(this::nameHeaders);
            Map<String, io.javalin.http.Handler> gets = Map.of("/ping", this::health, "/health", this::health,
                    "/version", cx -> cx.result(VERSION),
                    "/metrics", cx -> cx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            gets.forEach((path, handler) -> {
                c.routes.get(path, handler);
                // a HEAD runs the GET route, as MLflow's server does (Javalin alone answers 200, even with no model
                // loaded); Jetty sends the status and headers and drops the body
                c.routes.head(path, handler);
            });
            c.routes.post("/invocations", this::invocations);
            c.routes.exception(MlvException.class, (e, cx) -> error(cx, e.code().httpStatus(), e.code().name(), e.getMessage()));
            c.routes.exception(HttpResponseException.class, (e, cx) -> error(cx, e.getStatus(),
                    e.getStatus() == 413 ? "REQUEST_LIMIT_EXCEEDED" : "BAD_REQUEST", e.getMessage()));
            c.routes.exception(Exception.class, (e, cx) -> {
                LOG.error("Unhandled error on {} {}", cx.method(), cx.path(), e);
                error(cx, 500, "INTERNAL_ERROR", "Internal error: " + e.getClass().getSimpleName());
            });
            c.routes.error(404, cx -> {
                if (cx.result() == null || cx.result().isEmpty()) {
                    error(cx, 404, "ENDPOINT_NOT_FOUND", "No endpoint " + cx.method() + " " + cx.path());
                }
            });
        });
        app.start(o.host(), o.port());
    }

    /** Starts listening; {@code port} 0 picks a free port. The server answers 503/404 on health until a model is installed. */
    public static ScoringServer start(Options options) {
        return new ScoringServer(options);
    }

    /** Serves {@code next} from now on; requests in flight finish on the previous version, which then closes. */
    public void install(LoadedModel next) {
        LoadedModel old = slot.swap(next);
        if (slot.peek() != next) return; // closed meanwhile: next was released, not installed
        loaded.register(List.of(MultiGauge.Row.of(Tags.of("name", next.name(), "version", next.version()), 1)), true);
        if (old != null) LOG.info("Now serving {} version {} (was version {})", next.name(), next.version(), old.version());
        else LOG.info("Now serving {} version {}", next.name(), next.version());
    }

    /** The model being served (not reference-counted; for names). */
    public LoadedModel current() {
        return slot.peek();
    }

    public int port() {
        return app.port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    private void nameHeaders(Context cx) {
        LoadedModel m = slot.peek();
        if (m != null) {
            cx.header(NAME_HEADER, m.name());
            cx.header(VERSION_HEADER, m.version());
        }
    }

    private void health(Context cx) {
        // MLflow answers 200 once the model is loaded, 404 before
        if (slot.peek() == null) error(cx, 404, "RESOURCE_DOES_NOT_EXIST", "No model loaded yet");
        else cx.contentType("application/json").result("\n");
    }

    /** One {@code /invocations} answer: status, JSON body and the model version that computed it (null when none did). */
    record Answer(int status, byte[] body, LoadedModel model) {
    }

    /** Javalin's route, for request paths the {@link InvocationsHandler} in front leaves to Javalin. */
    private void invocations(Context cx) throws java.io.IOException {
        Answer a = score(cx.header("Content-Type"), cx.contentLength(), cx.req().getInputStream());
        if (a.model() != null) {
            cx.header(NAME_HEADER, a.model().name());
            cx.header(VERSION_HEADER, a.model().version());
        }
        cx.status(a.status()).contentType("application/json").result(a.body());
    }

    /**
     * Scores one {@code POST /invocations}: checks the content type and size, reads the body, parses it, checks it
     * against the signature, runs the model and writes the answer; every failure becomes MLflow's JSON error body.
     * Records the latency and the answer's status in the metrics.
     */
    Answer score(String contentType, long declared, java.io.InputStream in) {
        long start = System.nanoTime();
        Answer a;
        boolean read = false;
        try {
            String type = contentType(contentType);
            if (declared > maxBody) {
                throw new MlvException(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Request body of " + declared + " bytes exceeds the limit of " + maxBody + " bytes");
            }
            read = true;
            byte[] body = readBody(in, declared);
            a = slot.withModel(m -> {
                ScoringInput input = type.equals("text/csv") ? InputParser.parseCsv(body)
                        : InputParser.parseJson(body, m.mlModel().signature());
                return new Answer(200, Scorer.answer(Scorer.predict(m, input)), m);
            });
            if (a == null) throw new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "No model loaded yet");
        } catch (MlvException e) {
            if (!read) drain(in, declared);
            int status = statusOf(e);
            a = new Answer(status, errorJson(e.code() == ErrorCode.REQUEST_LIMIT_EXCEEDED ? "REQUEST_LIMIT_EXCEEDED" : e.code().name(),
                    e.getMessage()), slot.peek());
        } catch (RuntimeException e) {
            LOG.error("Unhandled error on POST /invocations", e);
            a = new Answer(500, errorJson("INTERNAL_ERROR", "Internal error: " + e.getClass().getSimpleName()), slot.peek());
        }
        latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        count(a.status());
        return a;
    }

    /**
     * Reads and drops a refused body (wrong type, over the limit) of up to {@value #MAX_DRAINED_BYTES} bytes, so that a
     * client still sending it reads the 413 or 415 that says why, instead of a connection reset mid-write.
     */
    private static void drain(java.io.InputStream in, long declared) {
        if (declared < 0 || declared > MAX_DRAINED_BYTES) return;
        try (java.io.InputStream body = in) {
            body.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException ignored) {
            // the client went away: nobody reads the answer either
        }
    }

    /**
     * Reads the body straight from the request stream into one array sized by Content-Length (no intermediate copies,
     * no String); without a length it reads in chunks, stopping with a 413 as soon as the limit is passed.
     */
    private byte[] readBody(java.io.InputStream stream, long declared) {
        try (java.io.InputStream in = stream) {
            if (declared >= 0) {
                byte[] body = in.readNBytes((int) declared);
                if (body.length < declared) throw new MlvException(ErrorCode.BAD_REQUEST, "Request body ended after " + body.length + " of " + declared + " bytes");
                return body;
            }
            byte[] body = in.readNBytes((int) Math.min(maxBody + 1, Integer.MAX_VALUE - 8));
            if (body.length > maxBody) {
                throw new MlvException(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Request body exceeds the limit of " + maxBody + " bytes");
            }
            return body;
        } catch (java.io.IOException e) {
            throw new MlvException(ErrorCode.BAD_REQUEST, "Cannot read the request body: " + e.getMessage());
        }
    }

    /** {@code ms} with one decimal, as {@code String.format("%.1f")} gives it, without a Formatter per request. */
    static String tenths(float ms) {
        if (!(ms >= 0) || ms >= 1e9f) return String.format(Locale.ROOT, "%.1f", ms);
        long t = Math.round(ms * 10.0);
        return (t / 10) + "." + (t % 10);
    }

    private static int statusOf(MlvException e) {
        if (e.code() == ErrorCode.REQUEST_LIMIT_EXCEEDED) return 413;
        if (e.code() == ErrorCode.NOT_IMPLEMENTED && e.getMessage().startsWith("Unsupported content type")) return 415;
        return e.code().httpStatus();
    }

    private void count(int status) {
        if (status == 200) {
            Counter ok = this.ok;
            if (ok == null) this.ok = ok = counter(200);
            ok.increment();
        } else {
            counter(status).increment();
        }
    }

    private Counter counter(int status) {
        String s = Integer.toString(status);
        return counters.computeIfAbsent(s, k -> Counter.builder("mlv_serving_requests").description("POST /invocations answers by status")
                .tag("status", k).tag("outcome", status < 400 ? "success" : "error").register(metrics));
    }

    long maxBodyBytes() {
        return maxBody;
    }

    /** True when {@link #contentType} accepts {@code header}. */
    static boolean acceptsContentType(String header) {
        if (header == null) return false;
        if (header.equals("application/json") || header.equals("text/csv")) return true;
        try {
            contentType(header);
            return true;
        } catch (MlvException e) {
            return false;
        }
    }

    /** MLflow accepts application/json and text/csv, with no parameter but charset=utf-8; anything else is 415. */
    static String contentType(String header) {
        if (header == null || header.isBlank()) throw unsupported("none", "Content-Type header is missing");
        String[] parts = header.split(";");
        String type = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json") && !type.equals("text/csv")) throw unsupported(header, null);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty()) continue;
            String[] kv = p.split("=", 2);
            String k = kv[0].trim().toLowerCase(Locale.ROOT);
            String v = kv.length > 1 ? kv[1].trim().replace("\"", "").toLowerCase(Locale.ROOT) : "";
            if (!k.equals("charset") || !(v.equals("utf-8") || v.equals("utf8"))) {
                throw unsupported(header, "parameter '" + p + "' is not supported (only charset=utf-8)");
            }
        }
        return type;
    }

    private static MlvException unsupported(String header, String detail) {
        return new MlvException(ErrorCode.NOT_IMPLEMENTED, "Unsupported content type '" + header + "'"
                + (detail == null ? "" : ": " + detail) + ". Use application/json or text/csv.");
    }

    private static void error(Context cx, int status, String code, String message) {
        cx.status(status).contentType("application/json").result(errorJson(code, message));
    }

    /** MLflow's error body {@code {"error_code": ..., "message": ...}}. */
    static byte[] errorJson(String code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error_code", code);
        o.put("message", message == null ? code : message);
        return o.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Stops accepting requests, lets those in flight finish, then closes the model. */
    @Override
    public void close() {
        app.stop();
        slot.close();
        metrics.close();
    }
}
