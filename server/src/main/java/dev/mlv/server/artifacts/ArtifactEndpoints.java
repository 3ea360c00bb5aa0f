package dev.mlv.server.artifacts;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.errors.MlvException;
import dev.mlv.artifacts.MultipartUpload;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.server.tracking.TrackingJson;
import dev.mlv.tracking.Run;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.RetainableByteBuffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MLflow's artifact proxy ({@code mlflow server --serve-artifacts}): {@code PUT}, {@code GET} and {@code DELETE} of
 * {@code /api/2.0/mlflow-artifacts/artifacts/<path>} and the listing {@code GET …/artifacts?path=<dir>}, over the
 * server's one {@link ArtifactStore}; and MLflow's {@code GET /get-artifact} (a run's file, also under
 * {@link #MODEL_VERSION_ARTIFACT} for a model version's). {@code <path>} is the store path that {@code mlflow-artifacts:/<path>} names.
 *
 * <p>Bodies are streamed in both directions; nothing holds a whole file in memory. An upload's {@code Content-Length}
 * is handed to {@link ArtifactStore#put(ArtifactPath, InputStream, long)} (on S3: one streaming {@code PutObject}
 * rather than a multipart upload); a download sets {@code Content-Length} so the response is not chunked. Paths are taken from the raw,
 * still-encoded request line (not from the container's decoded and normalised view of it) and go through
 * {@link ArtifactPath#parse}, so {@code ..} in any encoding, {@code ;}, {@code \}, control characters and absolute paths
 * are refused with 400 before the store is touched.
 */
public final class ArtifactEndpoints implements Endpoints {
    public static final String API_PREFIX = "/api/2.0/mlflow-artifacts/artifacts";
    public static final String AJAX_PREFIX = "/ajax-api/2.0/mlflow-artifacts/artifacts";
    /** MLflow's multipart-upload routes: {@code POST …/mpu/{create,complete,abort}/<directory>}. */
    private static final String MPU_API = "/api/2.0/mlflow-artifacts/mpu/";
    private static final String MPU_AJAX = "/ajax-api/2.0/mlflow-artifacts/mpu/";
    private static final int DOWNLOAD_BUFFER = 1 << 18;
    /** MLflow's download routes outside its REST API (its web UI's): a run's file, a model version's file. */
    public static final String RUN_ARTIFACT = "/get-artifact";
    public static final String MODEL_VERSION_ARTIFACT = "/model-versions/get-artifact";

    /** MLflow's presigned-URL routes (under its REST API): a client then reads or writes the storage itself. */
    public static final String PRESIGNED_DOWNLOAD = "artifacts/presigned-download-url";
    public static final String PRESIGNED_UPLOAD = "artifacts/presigned-upload-url";
    /** How long a presigned URL stays valid unless the request says: MLflow's 5 minutes to read, 15 to write. */
    static final long DOWNLOAD_URL_SECONDS = 300;
    static final long UPLOAD_URL_SECONDS = 900;
    /** The longest validity S3 signs: 7 days. */
    static final long MAX_URL_SECONDS = 7L * 24 * 3600;

    private final ServerContext ctx;

    public ArtifactEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(RUN_ARTIFACT, this::runArtifact);
        for (String base : List.of(API_PREFIX, AJAX_PREFIX)) {
            routes.get(base, this::list);
            routes.put(base, this::upload);
            routes.delete(base, this::delete);
            routes.get(base + "/<path>", this::download);
            routes.put(base + "/<path>", this::upload);
            routes.delete(base + "/<path>", this::delete);
        }
        Endpoints.mlflowPost(routes, PRESIGNED_DOWNLOAD, this::presignedDownloadUrl);
        Endpoints.mlflowPost(routes, PRESIGNED_UPLOAD, this::presignedUploadUrl);
        for (String base : List.of(MPU_API, MPU_AJAX)) {
            routes.post(base + "create/<path>", this::createMultipartUpload);
            routes.post(base + "complete/<path>", this::completeMultipartUpload);
            routes.post(base + "abort/<path>", this::abortMultipartUpload);
        }
    }

    private ArtifactStore store() {
        return ctx.artifacts();
    }

    /** The artifact path of the request, cut from the raw request URI and validated. */
    static ArtifactPath pathOf(Context cx) {
        return pathAfter(cx, API_PREFIX, AJAX_PREFIX);
    }

    /**
     * The artifact path any artifact-proxy request is about: the listed directory, the file, or the directory of a
     * multipart upload; validated as the handlers validate it.
     */
    public static ArtifactPath requestPath(Context cx) {
        String uri = cx.req().getRequestURI();
        if (uri.equals(API_PREFIX) || uri.equals(AJAX_PREFIX)) return ArtifactPath.parse(rawQueryParam(cx, "path"));
        for (String action : List.of("create", "complete", "abort")) {
            if (uri.startsWith(MPU_API + action + "/") || uri.startsWith(MPU_AJAX + action + "/")) {
                return pathAfter(cx, MPU_API + action, MPU_AJAX + action);
            }
        }
        return pathOf(cx);
    }

    /** What follows {@code <base>/} in the raw request URI, for the base it starts with, validated. */
    private static ArtifactPath pathAfter(Context cx, String apiBase, String ajaxBase) {
        String uri = cx.req().getRequestURI();
        for (String base : List.of(apiBase, ajaxBase)) {
            if (uri.startsWith(base + "/")) return ArtifactPath.parse(uri.substring(base.length() + 1));
        }
        throw MlvException.invalid("Invalid path '" + uri + "': not under " + apiBase + "/");
    }

    /** The first {@code path=} of the raw query string ({@code +} is a space), or null. */
    static String rawQueryParam(Context cx, String name) {
        String query = cx.req().getQueryString();
        if (query == null) return null;
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) return eq < 0 ? "" : pair.substring(eq + 1).replace('+', ' ');
        }
        return null;
    }

    private void list(Context cx) {
        ArtifactPath dir = ArtifactPath.parse(rawQueryParam(cx, "path"));
        List<FileInfo> files = store().list(dir);
        ObjectNode out = MlflowResponse.object();
        MlflowResponse.putAll(out, "files", files, f -> TrackingJson.fileInfo(f.path().substring(f.path().lastIndexOf('/') + 1), f));
        MlflowResponse.send(cx, ctx.json(), out);
    }

    private void upload(Context cx) throws IOException {
        ArtifactPath path = pathOf(cx);
        if (path.isRoot()) throw MlvException.invalid("Invalid path '': an upload needs a file name");
        Optional<FileInfo> existing = store().stat(path);
        if (existing.isPresent() && existing.get().isDir()) {
            throw MlvException.invalid("Cannot upload to '" + path + "': it is a directory");
        }
        long length = cx.req().getContentLengthLong(); // -1 for a chunked body: the store then needs no length
        try (InputStream in = cx.req().getInputStream()) {
            store().put(path, in, length);
        } catch (UncheckedIOException e) {
            // only now, on the unhappy path, find out whether the client asked for the impossible
            for (ArtifactPath up = path.parent(); !up.isRoot(); up = up.parent()) {
                Optional<FileInfo> ancestor = store().stat(up);
                if (ancestor.isPresent() && !ancestor.get().isDir()) {
                    throw MlvException.invalid("Cannot upload to '" + path + "': '" + up + "' is a file, not a directory");
                }
            }
            throw e;
        }
        MlflowResponse.empty(cx);
    }

    private void download(Context cx) throws IOException {
        send(cx, store(), pathOf(cx));
    }

    /** {@code GET /get-artifact?run_id=…&path=…} (MLflow's {@code run_uuid} too): a file of a run's artifacts. */
    private void runArtifact(Context cx) throws IOException {
        Run run = ctx.metadata().tracking().getRun(MlflowRequest.of(cx, ctx.json()).runId());
        send(cx, store(), fileUnder(store(), run.info().artifactUri(), cx));
    }

    /**
     * The file that the request's {@code path} query parameter (raw, validated by {@link ArtifactPath#parse} as every
     * artifact path is) names below the artifact root {@code rootUri}, which must be in this server's store.
     */
    public static ArtifactPath fileUnder(ArtifactStore store, String rootUri, Context cx) {
        String raw = rawQueryParam(cx, "path");
        if (raw == null) throw MlflowRequest.missing("path");
        return fileUnder(store, rootUri, raw);
    }

    /** The file {@code raw} names below the artifact root {@code rootUri}, validated; the root must be in {@code store}. */
    static ArtifactPath fileUnder(ArtifactStore store, String rootUri, String raw) {
        ArtifactPath relative = ArtifactPath.parse(raw);
        ArtifactPath root = store.pathOf(rootUri)
                .orElseThrow(() -> MlvException.invalid("The artifacts at " + rootUri + " are stored outside this server"));
        return root.resolve(relative);
    }

    /**
     * Streams the file {@code path} of {@code store} as an attachment (its type guessed from its name, never sniffed),
     * as MLflow sends artifacts: a browser saves it rather than showing it on the server's origin.
     */
    public static void send(Context cx, ArtifactStore store, ArtifactPath path) throws IOException {
        // one request to the storage when all goes well; the stat that tells why not only when it does not
        ArtifactStore.OpenFile file = fileFor(cx, store, path).orElseThrow(() -> notAFile(path, store.stat(path).isPresent()));
        try (InputStream in = file.in()) {
            attachmentHeaders(cx.res(), path.name());
            sendBody(cx, file);
        }
    }

    /**
     * The file at {@code path} to answer the request with, or empty when no file is there: opened for a {@code GET};
     * for a {@code HEAD}, only its size from a stat, with no body.
     */
    public static Optional<ArtifactStore.OpenFile> fileFor(Context cx, ArtifactStore store, ArtifactPath path) {
        if (cx.method() != HandlerType.HEAD) return store.openFile(path);
        return store.stat(path).filter(f -> !f.isDir()).map(f -> new ArtifactStore.OpenFile(InputStream.nullInputStream(), f.fileSize()));
    }

    /** Why there is no file to send at {@code path}: something that is not a file, a directory (400), or nothing (404). */
    private static MlvException notAFile(ArtifactPath path, boolean somethingThere) {
        return somethingThere
                ? MlvException.invalid("Artifact '" + path + "' is a directory; list it with GET " + API_PREFIX + "?path=" + path)
                : MlvException.notFound("Artifact '" + path + "' does not exist");
    }

    private static void attachmentHeaders(HttpServletResponse res, String name) {
        res.setStatus(200);
        res.setContentType(contentTypeOf(name));
        res.setHeader("Content-Disposition", contentDisposition(name));
        res.setHeader("X-Content-Type-Options", "nosniff");
    }

    /**
     * Sends {@code file} as the response's body, with its {@code Content-Length}, through a pooled direct buffer that
     * is filled before each write: the S3 stream hands out what one socket read got, and every write is one blocking
     * network write. Jetty writes a direct buffer to the socket as it is; a byte array it would cut into
     * output-buffer-sized writes, each copied once more into a temporary direct buffer (S3 downloads through the
     * server went from about 550 to 780 MiB/s with this). A {@code HEAD} ({@link #fileFor}) gets the length and no
     * body. The caller closes the file's stream.
     */
    public static void sendBody(Context cx, ArtifactStore.OpenFile file) throws IOException {
        cx.res().setContentLengthLong(file.size());
        if (cx.method() == HandlerType.HEAD) return; // Jetty would drop the body anyway
        int capacity = (int) Math.max(1, Math.min(DOWNLOAD_BUFFER, file.size()));
        HttpOutput out = (HttpOutput) cx.res().getOutputStream(); // the servlet layer here is always Jetty's
        RetainableByteBuffer pooled = ServletContextRequest.getServletContextRequest(cx.req()).getComponents()
                .getByteBufferPool().acquire(capacity, true);
        try {
            ByteBuffer direct = pooled.getByteBuffer();
            byte[] chunk = new byte[capacity];
            for (int r; (r = file.in().readNBytes(chunk, 0, capacity)) > 0; ) {
                direct.clear();
                direct.put(chunk, 0, r).flip();
                out.write(direct);
            }
        } finally {
            pooled.release();
        }
        out.flush();
    }

    /**
     * {@code POST artifacts/presigned-download-url} ({@code run_id}, {@code path}, {@code expiration} in seconds): a
     * URL from which the client GETs the run's file straight from the storage, with its size.
     */
    private void presignedDownloadUrl(Context cx) {
        MlflowRequest req = MlflowRequest.of(cx, ctx.json());
        Run run = ctx.metadata().tracking().getRun(req.runId());
        ArtifactPath path = fileUnder(store(), run.info().artifactUri(), req.requiredString("path"));
        FileInfo info = store().stat(path).orElseThrow(() -> MlvException.notFound("Artifact '" + req.string("path") + "' does not exist"));
        if (info.isDir()) throw MlvException.invalid("Artifact '" + req.string("path") + "' is a directory; a presigned URL names a file");
        ArtifactStore.Presigned url = presign(path, false, validity(req, DOWNLOAD_URL_SECONDS));
        ObjectNode out = presignedJson(url);
        if (info.fileSize() != null) out.put("file_size", info.fileSize());
        MlflowResponse.send(cx, ctx.json(), out);
    }

    /**
     * {@code POST artifacts/presigned-upload-url} ({@code run_id} or {@code model_id}, {@code path},
     * {@code expiration}): a URL to which the client PUTs the file straight into the storage, under the run's or the
     * logged model's artifacts.
     */
    private void presignedUploadUrl(Context cx) {
        MlflowRequest req = MlflowRequest.of(cx, ctx.json());
        boolean byRun = req.string("run_id") != null && !req.string("run_id").isEmpty();
        boolean byModel = req.string("model_id") != null && !req.string("model_id").isEmpty();
        if (byRun == byModel) throw MlvException.invalid("Exactly one of 'run_id' and 'model_id' must be provided");
        String root = byRun ? ctx.metadata().tracking().getRun(req.string("run_id")).info().artifactUri()
                : ctx.metadata().tracking().getLoggedModel(req.string("model_id"), false).artifactLocation();
        String raw = req.requiredString("path");
        if (ArtifactPath.parse(raw).isRoot()) throw MlvException.invalid("Invalid path '': an upload needs a file name");
        ArtifactPath path = fileUnder(store(), root, raw);
        if (store().stat(path).map(FileInfo::isDir).orElse(false)) {
            throw MlvException.invalid("Cannot upload to '" + req.string("path") + "': it is a directory");
        }
        MlflowResponse.send(cx, ctx.json(), presignedJson(presign(path, true, validity(req, UPLOAD_URL_SECONDS))));
    }

    private ArtifactStore.Presigned presign(ArtifactPath path, boolean upload, java.time.Duration validity) {
        return store().presign(path, upload, validity).orElseThrow(() -> new MlvException(dev.mlv.errors.ErrorCode.NOT_IMPLEMENTED,
                "This server's artifact storage has no presigned URLs (local files): " + (upload ? "upload with PUT " : "download with GET ")
                        + API_PREFIX + "/<path> instead"));
    }

    private static java.time.Duration validity(MlflowRequest req, long defaultSeconds) {
        Long seconds = req.int64("expiration");
        if (seconds == null) return java.time.Duration.ofSeconds(defaultSeconds);
        if (seconds < 1 || seconds > MAX_URL_SECONDS) {
            throw MlvException.invalid("Invalid value " + seconds + " for parameter 'expiration': 1 to " + MAX_URL_SECONDS + " seconds");
        }
        return java.time.Duration.ofSeconds(seconds);
    }

    private ObjectNode presignedJson(ArtifactStore.Presigned url) {
        ObjectNode out = MlflowResponse.object();
        out.put("presigned_url", url.url());
        ObjectNode headers = out.putObject("headers");
        url.headers().forEach(headers::put);
        return out;
    }

    /**
     * The file of a multipart-upload request, as MLflow names it: the directory from the raw request URI, and the
     * file name of the body's {@code path} (the client's local path: only its last segment counts, after a
     * {@code /} or a Windows {@code \\}). Both go through {@link ArtifactPath#parse}.
     */
    private static ArtifactPath multipartTarget(Context cx, MlflowRequest request, String action) {
        ArtifactPath dir = pathAfter(cx, MPU_API + action, MPU_AJAX + action);
        String local = request.requiredString("path");
        String name = local.substring(Math.max(local.lastIndexOf('/'), local.lastIndexOf('\\')) + 1);
        ArtifactPath file = ArtifactPath.parse(name);
        if (file.isRoot()) throw MlvException.invalid("Invalid value '" + local + "' for parameter 'path': it names no file");
        return dir.resolve(file);
    }

    private void createMultipartUpload(Context cx) {
        MlflowRequest request = MlflowRequest.of(cx, ctx.json());
        ArtifactPath path = multipartTarget(cx, request, "create");
        Integer numParts = partNumber(request.fields(), "num_parts", "num_parts");
        MultipartUpload upload = store().createMultipartUpload(path, numParts == null ? 1 : numParts);
        ObjectNode out = MlflowResponse.object();
        out.put("upload_id", upload.uploadId());
        MlflowResponse.putAll(out, "credentials", upload.targets(), t -> {
            ObjectNode c = MlflowResponse.object();
            c.put("url", t.url());
            c.put("part_number", t.partNumber());
            ObjectNode headers = c.putObject("headers");
            t.headers().forEach(headers::put);
            return c;
        });
        MlflowResponse.send(cx, ctx.json(), out);
    }

    private void completeMultipartUpload(Context cx) {
        MlflowRequest request = MlflowRequest.of(cx, ctx.json());
        ArtifactPath path = multipartTarget(cx, request, "complete");
        List<ObjectNode> parts = request.objects("parts");
        if (parts.isEmpty()) throw MlflowRequest.missing("parts");
        List<MultipartUpload.UploadedPart> uploaded = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String where = "parts[" + i + "]";
            Integer number = partNumber(parts.get(i), "part_number", where + ".part_number");
            if (number == null) throw MlflowRequest.missing(where + ".part_number");
            uploaded.add(new MultipartUpload.UploadedPart(number, MlflowRequest.requiredString(parts.get(i), "etag", where + ".etag")));
        }
        store().completeMultipartUpload(path, request.requiredString("upload_id"), uploaded);
        MlflowResponse.empty(cx);
    }

    /** A part number or count, if given: a whole number from 1 to S3's 10,000 parts. */
    private static Integer partNumber(ObjectNode parent, String field, String where) {
        Long n = MlflowRequest.int64(parent, field, where);
        if (n != null && (n < 1 || n > MultipartUpload.MAX_PARTS)) {
            throw MlflowRequest.invalidValue(where, parent.get(field), "expected 1 to " + MultipartUpload.MAX_PARTS);
        }
        return n == null ? null : n.intValue();
    }

    private void abortMultipartUpload(Context cx) {
        MlflowRequest request = MlflowRequest.of(cx, ctx.json());
        store().abortMultipartUpload(multipartTarget(cx, request, "abort"), request.requiredString("upload_id"));
        MlflowResponse.empty(cx);
    }

    private void delete(Context cx) {
        ArtifactPath path = pathOf(cx);
        if (path.isRoot()) throw MlvException.invalid("Invalid path '': the artifact root cannot be deleted");
        store().delete(path);
        MlflowResponse.empty(cx);
    }

    static String contentTypeOf(String name) {
        String guessed = URLConnection.guessContentTypeFromName(name);
        return guessed != null ? guessed : "application/octet-stream";
    }

    /** An attachment header that is safe for any file name: an ASCII fallback plus the RFC 5987 UTF-8 form. */
    static String contentDisposition(String name) {
        StringBuilder ascii = new StringBuilder();
        for (char c : name.toCharArray()) ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
        StringBuilder encoded = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(String.format("%02X", c));
            }
        }
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
    }
}
