package dev.mlv.artifacts;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where artifact bytes live: local files, S3, … chosen by URI scheme through {@link ArtifactStores}.
 *
 * <p>Contract shared by every backend (checked by {@code ArtifactStoreContractTest}):
 * <ul>
 *   <li>Paths are {@link ArtifactPath}s, already validated; a backend never sees a raw user string.</li>
 *   <li>{@link #put} streams (memory stays flat whatever the size) and is atomic: readers see the old bytes or the
 *       new ones, never a partial file; a failed put leaves nothing behind.</li>
 *   <li>{@link #open} throws {@code RESOURCE_DOES_NOT_EXIST} for a missing file, {@link #openFile} answers empty for a
 *       missing file or a directory; the caller closes the stream.</li>
 *   <li>{@link #list} returns the direct children of a directory sorted by path, with paths relative to the store
 *       root; a missing directory lists as empty.</li>
 *   <li>{@link #delete} removes a file or a whole directory; deleting what does not exist is not an error.</li>
 *   <li>{@link #batch} writes small files as {@link #put} does, each one atomic, all durable once committed.</li>
 *   <li>Safe for concurrent use.</li>
 * </ul>
 *
 * <p>Multipart uploads that clients send straight to the storage ({@link #createMultipartUpload} and its two
 * companions) are optional: a backend without them keeps the defaults, which throw {@code NOT_IMPLEMENTED} with
 * {@link #MULTIPART_UNSUPPORTED}, the message on which MLflow's clients fall back to a plain upload.
 */
public interface ArtifactStore extends AutoCloseable {

    /** The length to pass to {@link #put(ArtifactPath, InputStream, long)} when it is not known in advance. */
    long UNKNOWN_LENGTH = -1;

    /** Writes {@code content} to {@code path}, replacing any file there; returns the number of bytes written. */
    long put(ArtifactPath path, InputStream content);

    /**
     * Writes {@code content}, which holds exactly {@code length} bytes, to {@code path}; the same as
     * {@link #put(ArtifactPath, InputStream)} otherwise (streaming, atomic, nothing left behind on failure).
     * A known length lets a backend choose a cheaper way to write: S3 sends one streaming {@code PutObject} instead of
     * a multipart upload. {@code length} is {@link #UNKNOWN_LENGTH} (any negative value) when it is not known, e.g. a
     * chunked HTTP request body; then this is {@link #put(ArtifactPath, InputStream)}.
     *
     * <p>When the content does not hold exactly {@code length} bytes (it ends early, or goes on after them), the put
     * fails with {@code INVALID_PARAMETER_VALUE} and writes nothing: a file already at {@code path} keeps its old
     * bytes. An {@link java.io.IOException} of the stream itself fails it like the other put does.
     *
     * <p>The default checks the length around {@link #put(ArtifactPath, InputStream)}; backends override it to use
     * the length.
     *
     * @return the number of bytes written, {@code length} when it was given
     */
    default long put(ArtifactPath path, InputStream content, long length) {
        if (length < 0) return put(path, content);
        ExactLengthInputStream exact = new ExactLengthInputStream(content, length, path);
        try {
            return put(path, exact);
        } catch (RuntimeException e) {
            if (exact.failure() instanceof MlvException mismatch) throw mismatch;
            throw e;
        }
    }

    InputStream open(ArtifactPath path);

    /**
     * Small files written together ({@link #batch}): each one becomes visible whole, replacing any file at its path,
     * no later than {@link #commit} and never before it is complete; when {@code commit} returns, every file added is
     * durable. A batch is used by one thread.
     */
    interface Batch extends AutoCloseable {
        /** Adds a file holding {@code bytes} at {@code path}. */
        void add(ArtifactPath path, byte[] bytes);

        /** Makes every file added so far visible and durable. */
        void commit();

        /** Drops the files added since the last {@link #commit}, where the backend has not written them yet. */
        @Override
        void close();
    }

    /**
     * A {@link Batch} of small files. The default writes each file with {@link #put} as it is added. Local files
     * override it: they make the whole batch durable with two file-system syncs instead of two fsyncs per file. S3
     * sends several files at once.
     */
    default Batch batch() {
        return new Batch() {
            @Override
            public void add(ArtifactPath path, byte[] bytes) {
                put(path, new java.io.ByteArrayInputStream(bytes), bytes.length);
            }

            @Override
            public void commit() {
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Which of {@code paths} are files (not absent, not directories). The default asks {@link #stat} about each; a
     * backend where each question waits for a round trip (S3) asks several at once.
     */
    default Set<ArtifactPath> files(Collection<ArtifactPath> paths) {
        Set<ArtifactPath> files = new HashSet<>();
        for (ArtifactPath path : paths) if (stat(path).filter(f -> !f.isDir()).isPresent()) files.add(path);
        return files;
    }

    /** Receives the files {@link #readSmall} reads, whole, on the thread that called it. */
    @FunctionalInterface
    interface SmallFileSink {
        void accept(ArtifactPath path, byte[] bytes) throws IOException;
    }

    /**
     * Reads the files at {@code paths} that exist and hold at most {@code maxBytes}, and hands each to {@code sink}, in
     * any order; the others (absent, directories, larger) are skipped. The default reads one after another; a backend
     * where each read waits for a round trip (S3) reads several at once.
     */
    default void readSmall(List<ArtifactPath> paths, int maxBytes, SmallFileSink sink) throws IOException {
        for (ArtifactPath path : paths) {
            Optional<OpenFile> file = openFile(path);
            if (file.isEmpty()) continue;
            try (InputStream in = file.get().in()) {
                if (file.get().size() <= maxBytes) sink.accept(path, in.readNBytes((int) file.get().size()));
            }
        }
    }

    /** A file opened for reading, with its size in bytes; the caller closes {@code in}. */
    record OpenFile(InputStream in, long size) {
    }

    /**
     * Opens the file at {@code path} with its size, or empty when no file is there (nothing, or a directory). The
     * default asks {@link #stat}, then {@link #open}; a backend whose read answers the size with the bytes (S3's
     * {@code GetObject}) overrides it to make one request instead of two.
     */
    default Optional<OpenFile> openFile(ArtifactPath path) {
        Optional<FileInfo> info = stat(path).filter(f -> !f.isDir());
        return info.map(f -> new OpenFile(open(path), f.fileSize()));
    }

    /** MLflow's message for a store without client-side multipart uploads; its clients match on its start. */
    String MULTIPART_UNSUPPORTED = "Multipart upload is not supported for the current artifact repository";

    /**
     * Starts a multipart upload to the file {@code path} of {@code numParts} parts (1 to
     * {@value MultipartUpload#MAX_PARTS}, else {@code INVALID_PARAMETER_VALUE}) that the client sends to the storage
     * itself, to the part targets returned. Nothing is visible at {@code path} until
     * {@link #completeMultipartUpload}; then the whole file appears at once.
     */
    default MultipartUpload createMultipartUpload(ArtifactPath path, int numParts) {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, MULTIPART_UNSUPPORTED);
    }

    /**
     * Joins the {@code parts} (their numbers and ETags, in any order) of upload {@code uploadId} into the file
     * {@code path}, in part-number order. An unknown upload is {@code RESOURCE_DOES_NOT_EXIST}; parts the storage
     * refuses (not sent, a wrong ETag, too small) are {@code INVALID_PARAMETER_VALUE}.
     */
    default void completeMultipartUpload(ArtifactPath path, String uploadId, List<MultipartUpload.UploadedPart> parts) {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, MULTIPART_UNSUPPORTED);
    }

    /** Abandons upload {@code uploadId} to {@code path}: the parts sent are dropped and nothing appears at the path. */
    default void abortMultipartUpload(ArtifactPath path, String uploadId) {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, MULTIPART_UNSUPPORTED);
    }

    /**
     * A URL the client sends straight to the storage, signed with the server's credentials and valid for
     * {@code validity} (MLflow's presigned artifact URLs): an HTTP {@code GET} of it reads the file {@code path}
     * ({@code upload} false) or a {@code PUT} writes it ({@code upload} true), with {@code headers} sent as given.
     */
    record Presigned(String url, Map<String, String> headers) {
    }

    /** A {@link Presigned} URL for {@code path}, or empty when this storage has none (local files). */
    default Optional<Presigned> presign(ArtifactPath path, boolean upload, java.time.Duration validity) {
        return Optional.empty();
    }

    /** Size and kind of what is at {@code path}, if anything. */
    Optional<FileInfo> stat(ArtifactPath path);

    List<FileInfo> list(ArtifactPath directory);

    void delete(ArtifactPath path);

    /** The URI this store was opened from, e.g. {@code file:///home/me/.mlv/artifacts} or {@code s3://bucket/prefix}. */
    String uri();

    /** The scheme of the URIs a server gives artifacts it proxies ({@code mlflow-artifacts:/<path>}). */
    String PROXIED_SCHEME = "mlflow-artifacts:";

    /**
     * The path inside this store that a URI names: an {@code mlflow-artifacts:/<path>} URI, or one under this store's
     * own {@link #uri()} (a run's artifact URI, an experiment's location, a model version's source). Empty for
     * anything else, and for a path that is not a valid {@link ArtifactPath}.
     */
    default Optional<ArtifactPath> pathOf(String uri) {
        if (uri == null) return Optional.empty();
        String rest = null;
        if (uri.startsWith(PROXIED_SCHEME)) {
            rest = uri.substring(PROXIED_SCHEME.length());
        } else {
            String base = uri();
            if (base != null && !base.isEmpty()) {
                String b = base.endsWith("/") ? base : base + "/";
                if (uri.startsWith(b)) rest = uri.substring(b.length());
            }
        }
        if (rest == null) return Optional.empty();
        try {
            return Optional.of(ArtifactPath.parse(rest.replaceFirst("^/+", "")));
        } catch (MlvException e) {
            return Optional.empty();
        }
    }

    @Override
    default void close() {
    }
}
