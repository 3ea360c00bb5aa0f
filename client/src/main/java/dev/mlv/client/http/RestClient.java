package dev.mlv.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import javax.net.ssl.SSLContext;

/**
 * Thin JSON-over-HTTP client for an mlv (or MLflow) server: the one place that talks HTTP to the server, used by the
 * Java client, the CLI and the scoring server. Error bodies {@code {"error_code", "message"}} come back as
 * {@link MlvException}s with the same code; an unreachable server is {@code TEMPORARILY_UNAVAILABLE} with a hint.
 */
public final class RestClient {
    /** The header naming the acting user to a server without authentication. */
    public static final String USER_HEADER = "X-Mlv-User";
    public static final String DEFAULT_TRACKING_URI = "http://127.0.0.1:5000";
    static final int MAX_RETRIES_ON_429 = 3;
    /** Reads bare {@code NaN}/{@code Infinity} as MLflow servers may write them for metric values. */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a download may wait for its next bytes, as MLflow's clients wait for an answer by default. */
    static final int READ_TIMEOUT_MILLIS = 120_000;
    /** The read size of {@link #download}. */
    private static final int DOWNLOAD_BUFFER = 256 * 1024;

    private final String baseUrl;
    private final HttpClient http;
    /** The TLS settings of {@link #openStream}'s connections (null: the JDK's); {@link #http} has them too. */
    private final SSLContext tls;
    /** Headers sent with every request (e.g. {@code X-Mlv-User}); empty by default. */
    private final Map<String, String> defaultHeaders;

    public RestClient(String baseUrl) {
        this(baseUrl, Map.of());
    }

    /**
     * A client for the tracking server at {@code baseUrl} that sends {@code defaultHeaders} with every request, and the
     * credentials of {@link Credentials} when {@code defaultHeaders} has no {@code Authorization}:
     * {@code MLV_TRACKING_USERNAME} / {@code MLV_TRACKING_PASSWORD} (else MLflow's {@code MLFLOW_TRACKING_USERNAME} /
     * {@code MLFLOW_TRACKING_PASSWORD}), else a bearer {@code MLV_TRACKING_TOKEN} ({@code MLFLOW_TRACKING_TOKEN}), else
     * the host's entry in {@code ~/.netrc}. An {@code https} server's certificate is checked as {@link Tls} says.
     */
    public RestClient(String baseUrl, Map<String, String> defaultHeaders) {
        this(baseUrl, defaultHeaders, Credentials.forTrackingServer(baseUrl, System::getenv), Tls.fromEnvironment(System::getenv));
    }

    /** The tracking server's client with the settings of {@code env} instead of the process environment. */
    static RestClient forTrackingServer(String baseUrl, UnaryOperator<String> env) {
        return new RestClient(baseUrl, Map.of(), Credentials.forTrackingServer(baseUrl, env), Tls.fromEnvironment(env));
    }

    /**
     * A client for a server named in a repository's files (an {@code http(s)://} data remote), which whoever wrote the
     * repository chose: it sends the tracking credentials of the environment only when {@code baseUrl} is the
     * tracking server (the scheme, host and port of {@code MLV_TRACKING_URI}), else only the host's netrc entry.
     */
    public static RestClient forConfiguredServer(String baseUrl) {
        return forConfiguredServer(baseUrl, System::getenv);
    }

    static RestClient forConfiguredServer(String baseUrl, UnaryOperator<String> env) {
        return new RestClient(baseUrl, Map.of(), Credentials.forConfiguredServer(baseUrl, env), Tls.fromEnvironment(env));
    }

    /** {@code tls}: how to check an https server's certificate ({@link Tls}), null for the JDK's default. */
    private RestClient(String baseUrl, Map<String, String> defaultHeaders, Optional<String> credentials, SSLContext tls) {
        String b = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (!b.startsWith("http://") && !b.startsWith("https://")) {
            throw MlvException.invalid("Tracking URI must be http(s)://host:port, got '" + baseUrl + "'");
        }
        this.baseUrl = b;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1);
        if (tls != null) builder.sslContext(tls);
        this.http = builder.build();
        this.tls = tls;
        Map<String, String> h = new java.util.LinkedHashMap<>(defaultHeaders);
        credentials.ifPresent(value -> h.putIfAbsent("Authorization", value));
        this.defaultHeaders = Map.copyOf(h);
    }

    /** A client for the same server (sharing its connections) that authenticates as {@code user}. */
    public RestClient withBasicAuth(String user, String password) {
        return withHeader("Authorization", Credentials.basic(user, password));
    }

    /** Whether requests carry credentials. */
    public boolean sendsCredentials() {
        return defaultHeaders.containsKey("Authorization");
    }

    private RestClient(String baseUrl, HttpClient http, SSLContext tls, Map<String, String> defaultHeaders) {
        this.baseUrl = baseUrl;
        this.http = http;
        this.tls = tls;
        this.defaultHeaders = Map.copyOf(defaultHeaders);
    }

    /** A client for the same server (sharing its connections) that also sends header {@code name: value}. */
    public RestClient withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(defaultHeaders);
        h.put(name, value);
        return new RestClient(baseUrl, http, tls, h);
    }

    /**
     * A client for the same server that names {@code user} as the acting user in header {@value #USER_HEADER} (which a
     * server without authentication records in its history and audit log); this client when the name has characters
     * an HTTP header cannot carry (beyond Latin-1, or control characters).
     */
    public RestClient withUser(String user) {
        boolean sendable = user != null && !user.isBlank() && user.chars().allMatch(c -> c >= 0x20 && c <= 0xff && c != 0x7f);
        return sendable ? withHeader(USER_HEADER, user) : this;
    }

    /** {@code MLV_TRACKING_URI}, else {@code MLFLOW_TRACKING_URI}, else {@code http://127.0.0.1:5000}. */
    public static String trackingUriFromEnv() {
        return trackingUri(System::getenv);
    }

    static String trackingUri(UnaryOperator<String> env) {
        String v = Credentials.setting(env, "URI");
        return v != null ? v.trim() : DEFAULT_TRACKING_URI;
    }

    public static RestClient fromEnv() {
        return new RestClient(trackingUriFromEnv());
    }

    public String baseUrl() {
        return baseUrl;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** GET {@code path} (e.g. {@code /api/2.0/mlflow/runs/get}) with query parameters; null values are skipped. */
    public JsonNode get(String path, Map<String, ?> query) {
        return send(HttpRequest.newBuilder(uri(path, query)).GET());
    }

    public JsonNode post(String path, Object body) {
        return send(withJson(HttpRequest.newBuilder(uri(path, null)), "POST", body));
    }

    public JsonNode patch(String path, Object body) {
        return send(withJson(HttpRequest.newBuilder(uri(path, null)), "PATCH", body));
    }

    public JsonNode delete(String path, Object body) {
        return send(withJson(HttpRequest.newBuilder(uri(path, null)), "DELETE", body));
    }

    /** PUT a file's bytes, streamed from disk. */
    public void putFile(String path, Path file) {
        putFile(path, file, null);
    }

    /** {@link #putFile(String, Path)}, telling {@code progress} (if not null) each number of bytes sent. */
    public void putFile(String path, Path file, LongConsumer progress) {
        try {
            HttpRequest.BodyPublisher body = progress == null ? HttpRequest.BodyPublishers.ofFile(file)
                    : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> counted(range(file, 0, Long.MAX_VALUE), progress)), Files.size(file));
            send(HttpRequest.newBuilder(uri(path, null)).header("Content-Type", "application/octet-stream").PUT(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * PUT of {@code length} bytes of {@code file} from {@code offset}, streamed, to an absolute URL outside the server
     * (a presigned storage URL of a multipart upload) with {@code headers} only, telling {@code progress} each number
     * of bytes sent; returns the {@code ETag} answered.
     */
    public String putPart(URI url, Map<String, String> headers, Path file, long offset, long length, LongConsumer progress) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> counted(range(file, offset, length), progress)), length));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new MlvException(fromStatus(r.statusCode()), "Uploading part of " + file.getFileName() + " to the storage failed: HTTP "
                        + r.statusCode() + " " + r.body().lines().findFirst().orElse(""));
            }
            return r.headers().firstValue("ETag").orElseThrow(() -> new MlvException(ErrorCode.INTERNAL_ERROR,
                    "The storage answered a part of " + file.getFileName() + " without an ETag"));
        } catch (IOException e) {
            throw new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Cannot reach the storage at " + url.getHost()
                    + " to upload a part of " + file.getFileName() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted");
        }
    }

    /** {@code length} bytes of {@code file} from {@code offset}, read with positional reads; closing closes the file. */
    private static InputStream range(Path file, long offset, long length) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        return new InputStream() {
            private long position = offset;
            private final long end = offset + length;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (position >= end) return -1;
                int n = channel.read(ByteBuffer.wrap(buf, off, (int) Math.min(len, end - position)), position);
                if (n > 0) position += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                channel.close();
            }
        };
    }

    /** POST of a body of {@code length} bytes and type {@code contentType}, read from {@code body} as it is sent. */
    public JsonNode postStream(String path, String contentType, Supplier<InputStream> body, long length) {
        return send(HttpRequest.newBuilder(uri(path, null)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length)));
    }

    /** PUT bytes (e.g. a small JSON document) as an artifact. */
    public void putBytes(String path, byte[] body, String contentType) {
        send(HttpRequest.newBuilder(uri(path, null)).header("Content-Type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** GET a file, streamed to {@code target} through a temp file and an atomic rename. */
    public void download(String path, Path target) {
        download(path, target, n -> { });
    }

    /** {@link #download(String, Path)}, telling {@code progress} each number of bytes received. */
    public void download(String path, Path target, LongConsumer progress) {
        try (InputStream in = counted(openStream(path), progress)) {
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try {
                try (FileChannel out = FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    byte[] buf = new byte[DOWNLOAD_BUFFER]; // Files.copy would read and write 8 KiB at a time
                    for (int n; (n = in.read(buf)) > 0; ) {
                        ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                        while (b.hasRemaining()) out.write(b);
                    }
                    out.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot download " + path, e);
        }
    }

    private static InputStream counted(InputStream in, LongConsumer progress) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) progress.accept(1);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) progress.accept(n);
                return n;
            }
        };
    }

    /**
     * GET a body as a stream; the caller closes it. Retried after a 429 as every request is. Streamed through the JDK's
     * {@link java.net.HttpURLConnection}, which reads the socket in the caller's buffer, rather than through
     * {@link HttpClient}, which hands a body over in 16 KiB buffers through a queue between threads: a 256 MiB artifact
     * came through the same local server at about 1,100 MiB/s against 270 MiB/s. Redirects are not followed, as
     * {@link HttpClient}'s are not, so credentials never go to another host.
     */
    public InputStream openStream(String path) {
        return openStream(path, null);
    }

    /**
     * {@link #openStream(String)} of the answer to a {@code POST} of {@code jsonBody} (a GET when it is null): for
     * endpoints that take a JSON request and answer a stream.
     */
    public InputStream openStream(String path, Object jsonBody) {
        try {
            byte[] body = jsonBody == null ? null : JSON.writeValueAsBytes(jsonBody);
            for (int attempt = 0; ; attempt++) {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri(path, null).toURL().openConnection();
                if (tls != null && c instanceof javax.net.ssl.HttpsURLConnection https) https.setSSLSocketFactory(tls.getSocketFactory());
                c.setInstanceFollowRedirects(false);
                c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
                c.setReadTimeout(READ_TIMEOUT_MILLIS);
                defaultHeaders.forEach(c::setRequestProperty);
                if (body != null) {
                    c.setRequestMethod("POST");
                    c.setRequestProperty("Content-Type", "application/json");
                    c.setDoOutput(true);
                    c.setFixedLengthStreamingMode(body.length);
                    try (OutputStream out = c.getOutputStream()) {
                        out.write(body);
                    }
                }
                int status = c.getResponseCode();
                if (status / 100 == 2) return c.getInputStream();
                String error;
                try (InputStream err = c.getErrorStream()) {
                    error = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (status != 429 || attempt >= MAX_RETRIES_ON_429) throw toException(status, error);
                Thread.sleep(retryAfterSeconds(c.getHeaderField("Retry-After"), attempt) * 1000);
            }
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted");
        }
    }

    private HttpRequest.Builder withJson(HttpRequest.Builder b, String method, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body == null ? object() : body);
            return b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = exchange(headers(b).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) throw toException(r.statusCode(), r.body());
            String body = r.body();
            return body == null || body.isBlank() ? object() : JSON.readTree(body);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted");
        }
    }

    /**
     * Sends {@code req}, again after a 429 (a server that refused it before doing anything, such as an mlv server
     * checking many new credentials at once): up to {@value #MAX_RETRIES_ON_429} times, after the {@code Retry-After}
     * seconds it asks for (at most 10), else 1, 2, 4 s.
     */
    private <T> HttpResponse<T> exchange(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<T> r = http.send(req, handler);
            if (r.statusCode() != 429 || attempt >= MAX_RETRIES_ON_429) return r;
            if (r.body() instanceof InputStream in) in.close();
            Thread.sleep(retryAfterSeconds(r.headers().firstValue("Retry-After").orElse(null), attempt) * 1000);
        }
    }

    /** The wait before retry {@code attempt + 1} after a 429: the {@code Retry-After} seconds (at most 10), else 1, 2, 4 s. */
    private static long retryAfterSeconds(String header, int attempt) {
        try {
            return header == null ? 1L << attempt : Math.max(0, Math.min(10, Long.parseLong(header.trim())));
        } catch (NumberFormatException e) {
            return 1L << attempt; // an HTTP date: exponential back-off
        }
    }

    private HttpRequest.Builder headers(HttpRequest.Builder b) {
        defaultHeaders.forEach(b::header);
        return b;
    }

    private MlvException unreachable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLHandshakeException) {
                return new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "The TLS certificate of " + baseUrl + " is not "
                        + "trusted (" + t.getMessage() + "): set MLV_TRACKING_SERVER_CERT_PATH to a PEM file of its "
                        + "certificate authority", e);
            }
        }
        if (e instanceof ConnectException || e.getCause() instanceof ConnectException) {
            return new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Cannot reach the mlv server at " + baseUrl
                    + " (start one with './mlv server', or set MLV_TRACKING_URI)", e);
        }
        return new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE, "Request to " + baseUrl + " failed: " + e, e);
    }

    static MlvException toException(int status, String body) {
        ErrorCode code = null;
        String message = body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error_code")) {
                code = ErrorCode.valueOf(n.get("error_code").asText());
                message = n.path("message").asText(message);
            }
        } catch (IOException | IllegalArgumentException ignored) {
            // not MLflow's error body: fall back to the HTTP status
        }
        if (code == null) {
            code = fromStatus(status);
            // not MLflow's error body (a proxy's or another server's page, maybe HTML): its text, in short
            String text = message == null ? "" : message.replaceAll("(?s)<(script|style).*?</\\1>|<[^>]*>", " ").replaceAll("\\s+", " ").strip();
            message = "HTTP " + status + (status == 404 ? " (is this an mlv or MLflow server?)" : "")
                    + (text.isEmpty() ? "" : ": " + (text.length() > 160 ? text.substring(0, 160) + "…" : text));
        }
        return new MlvException(code, message);
    }

    private static ErrorCode fromStatus(int status) {
        for (ErrorCode c : ErrorCode.values()) if (c.httpStatus() == status) return c;
        return status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST;
    }

    private URI uri(String path, Map<String, ?> query) {
        StringBuilder sb = new StringBuilder(baseUrl).append(path.startsWith("/") ? path : "/" + path);
        if (query != null && !query.isEmpty()) {
            StringJoiner j = new StringJoiner("&");
            for (var e : query.entrySet()) {
                if (e.getValue() == null) continue;
                Iterable<?> values = e.getValue() instanceof Iterable<?> it ? it : java.util.List.of(e.getValue());
                for (Object v : values) {
                    j.add(enc(e.getKey()) + "=" + enc(String.valueOf(v)));
                }
            }
            if (j.length() > 0) sb.append('?').append(j);
        }
        return URI.create(sb.toString());
    }

    /** Percent-encodes a query component or one path segment. */
    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
