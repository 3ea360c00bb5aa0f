package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ExactLengthInputStream;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.artifacts.MultipartUpload;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedUploadPartRequest;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Artifacts as objects under {@code s3://bucket/prefix}, one object per file; directories are key prefixes.
 *
 * <ul>
 *   <li>{@link #put(ArtifactPath, InputStream, long)} with a known length up to 5 GiB sends one streaming
 *       {@code PutObject}; otherwise as below.</li>
 *   <li>{@link #put} reads the stream one part of {@link #partSize()} bytes at a time: a stream that fits in one part
 *       is one {@code PutObject}, a longer one (its length need not be known) a multipart upload, where one part is
 *       sent while the next is read, aborted on any failure so no partial object or dangling parts stay. Both become
 *       visible atomically when S3 accepts the last request. Memory per upload is two parts whatever the size.</li>
 *   <li>{@link #open} streams the object; closing the stream early aborts the connection instead of draining it.</li>
 *   <li>{@link #list} lists with the delimiter {@code /}: direct children only, directories from common prefixes.</li>
 *   <li>{@link #delete} deletes the object at the path and every object under {@code path/}, 1000 keys per request.</li>
 *   <li>{@link #createMultipartUpload} starts an S3 multipart upload and presigns one {@code UploadPart} URL per part
 *       (valid for {@link #PRESIGNED_URL_VALIDITY}), so a client sends the parts to S3 itself;
 *       {@link #completeMultipartUpload} and {@link #abortMultipartUpload} finish or drop it.</li>
 * </ul>
 * An unreachable endpoint (or S3 answering 5xx) is {@code TEMPORARILY_UNAVAILABLE}; other S3 errors are
 * {@code INTERNAL_ERROR}; both name the operation, the object and S3's error code.
 */
public final class S3ArtifactStore implements ArtifactStore {
    /** Default part size of multipart uploads: 8 MiB, so up to ~80 GB per object within S3's 10,000 parts. */
    public static final int DEFAULT_PART_SIZE = 8 << 20;
    /** S3's smallest part (except the last one). */
    public static final int MIN_PART_SIZE = 5 << 20;
    private static final int MAX_PARTS = MultipartUpload.MAX_PARTS;
    /** S3's largest object written by one {@code PutObject}: 5 GiB. */
    public static final long MAX_SINGLE_PUT = 5L << 30;
    private static final int DELETE_BATCH = 1000;
    /** How long a presigned part URL stays valid: one hour, as MLflow's S3 repository presigns. */
    public static final Duration PRESIGNED_URL_VALIDITY = Duration.ofHours(1);

    private final S3Client s3;
    private final S3Location location;
    private final int partSize;
    private final boolean ownsClient;
    /** Presigns part URLs with the client's configuration (credentials, region, endpoint, path style); made on first use. */
    private volatile S3Presigner presigner;
    /** Small files of one {@link #batch} or {@link #readSmall} call in flight at once. */
    static final int SMALL_FILES_IN_FLIGHT = 8;

    /**
     * Sends one part of each multipart upload while the caller's thread reads the next one, and the small files of a
     * batch or of {@link #readSmall} several at once (each S3 request waits for a round trip, not for the CPU).
     */
    private final ExecutorService transfers = transferThreads();

    /**
     * As many threads as the S3 client has connections ({@link S3Clients#MAX_CONNECTIONS}; more would only wait for
     * one), started when needed and ended after a minute idle. No task waits for another, so a queue is safe.
     */
    private static ExecutorService transferThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(S3Clients.MAX_CONNECTIONS, S3Clients.MAX_CONNECTIONS,
                1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "mlv-s3-transfer");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * A store over {@code location} using {@code s3}. When {@code ownsClient}, {@link #close} closes the client.
     */
    public S3ArtifactStore(S3Client s3, S3Location location, int partSize, boolean ownsClient) {
        if (partSize < MIN_PART_SIZE) throw new IllegalArgumentException("part size below S3's minimum of 5 MiB");
        this.s3 = s3;
        this.location = location;
        this.partSize = partSize;
        this.ownsClient = ownsClient;
    }

    /** Opens {@code s3://bucket/prefix} with a client from {@link S3Clients#fromEnvironment()}. */
    public static S3ArtifactStore open(String uri) {
        S3Location location = S3Location.parse(uri);
        return new S3ArtifactStore(S3Clients.fromEnvironment(), location, DEFAULT_PART_SIZE, true);
    }

    public S3Location location() {
        return location;
    }

    public int partSize() {
        return partSize;
    }

    @Override
    public long put(ArtifactPath path, InputStream content) {
        if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
        String key = location.key(path);
        byte[] buffer = new byte[partSize];
        int first = readPart(content, buffer, path);
        if (first < partSize) {
            call("write", path, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key).contentLength((long) first),
                    body(buffer, first)));
            return first;
        }
        String uploadId = call("write", path,
                () -> s3.createMultipartUpload(b -> b.bucket(location.bucket()).key(key)).uploadId());
        boolean done = false;
        Future<CompletedPart> inFlight = null;
        try {
            List<CompletedPart> parts = new ArrayList<>();
            byte[] current = buffer;
            byte[] spare = new byte[partSize];
            long total = 0;
            int n = first;
            while (n > 0) {
                int partNumber = parts.size() + (inFlight == null ? 1 : 2);
                if (partNumber > MAX_PARTS) {
                    throw MlvException.invalid("Artifact '" + path + "' is larger than " + MAX_PARTS + " parts of "
                            + partSize + " bytes");
                }
                byte[] data = current;
                int length = n;
                Future<CompletedPart> next = transfers.submit(() -> call("write", path, () -> CompletedPart.builder()
                        .partNumber(partNumber).eTag(s3.uploadPart(b -> b.bucket(location.bucket()).key(key)
                                .uploadId(uploadId).partNumber(partNumber).contentLength((long) length),
                                body(data, length)).eTag()).build()));
                Future<CompletedPart> previous = inFlight;
                inFlight = next;
                if (previous != null) parts.add(await(previous)); // its buffer is free again once it is sent
                total += n;
                current = spare;
                spare = data;
                n = n < partSize ? 0 : readPart(content, current, path); // read the next part while this one uploads
            }
            parts.add(await(inFlight));
            inFlight = null;
            call("write", path, () -> s3.completeMultipartUpload(b -> b.bucket(location.bucket()).key(key)
                    .uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            done = true;
            return total;
        } finally {
            if (!done) {
                if (inFlight != null) {
                    try {
                        inFlight.get();
                    } catch (Exception ignored) {
                        // failing anyway; the part must only be finished before the upload is aborted
                    }
                }
                abort(key, uploadId);
            }
        }
    }

    /**
     * With a known length up to {@link #MAX_SINGLE_PUT}: one {@code PutObject} whose body streams from
     * {@code content} as S3 takes it (nothing buffered beyond the HTTP client's socket buffer; a length of at most one
     * part is read into memory first, so that request can be retried). Larger or unknown: the multipart upload of
     * {@link #put(ArtifactPath, InputStream)}. A content of another length than declared fails the request before S3
     * completes it, so no object is written. The request to S3 moves at the pace of {@code content}: a caller that
     * stalls longer than the endpoint's idle timeout (about 20 s on AWS) fails the put, where a multipart upload,
     * which sends only whole buffered parts, would wait.
     */
    @Override
    public long put(ArtifactPath path, InputStream content, long length) {
        if (length < 0) return put(path, content);
        if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
        ExactLengthInputStream exact = new ExactLengthInputStream(content, length, path);
        try {
            if (length <= partSize || length > MAX_SINGLE_PUT) return put(path, exact);
            String key = location.key(path);
            boolean[] opened = new boolean[1];
            RequestBody body = RequestBody.fromContentProvider(() -> {
                // a request body read from the caller's stream cannot be sent twice: a retry fails here, with the
                // first attempt's failure reported below
                if (opened[0]) throw new IllegalStateException("the content stream of '" + path + "' cannot be re-read");
                opened[0] = true;
                return exact;
            }, length, "application/octet-stream");
            call("write", path, () -> s3.putObject(b -> b.bucket(location.bucket()).key(key).contentLength(length), body));
            return length;
        } catch (RuntimeException e) {
            Exception cause = exact.failure();
            if (cause instanceof MlvException mismatch) throw mismatch;
            if (cause instanceof IOException io) throw new UncheckedIOException("Cannot read the content of artifact " + path, io);
            throw e;
        }
    }

    private static <T> T await(Future<T> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Interrupted while transferring", e);
        }
    }

    /**
     * A batch whose files go to S3 up to {@link #SMALL_FILES_IN_FLIGHT} at once, each with its own {@code PutObject},
     * while the caller adds the next ones. A path added again waits for its earlier put, so the last bytes win.
     * {@code commit} waits for every put and throws the first failure; {@code close} drops the puts not started and
     * waits for those under way.
     */
    @Override
    public Batch batch() {
        return new Batch() {
            private final Semaphore slots = new Semaphore(SMALL_FILES_IN_FLIGHT);
            private final Map<ArtifactPath, Future<?>> pending = new LinkedHashMap<>();
            private volatile boolean closed;

            @Override
            public void add(ArtifactPath path, byte[] bytes) {
                if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
                Future<?> earlier = pending.remove(path);
                if (earlier != null) await(earlier);
                try {
                    slots.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MlvException(ErrorCode.INTERNAL_ERROR, "Interrupted while transferring", e);
                }
                try {
                    pending.put(path, transfers.submit(() -> {
                        try {
                            // one PutObject from memory, never a multipart upload, whose parts would wait for
                            // threads of this same pool
                            return closed ? null : call("write", path, () -> s3.putObject(b -> b.bucket(location.bucket())
                                    .key(location.key(path)).contentLength((long) bytes.length), body(bytes, bytes.length)));
                        } finally {
                            slots.release();
                        }
                    }));
                } catch (RuntimeException e) {
                    slots.release();
                    throw e;
                }
            }

            @Override
            public void commit() {
                RuntimeException first = null;
                for (Future<?> put : pending.values()) {
                    try {
                        await(put);
                    } catch (RuntimeException e) {
                        if (first == null) first = e;
                    }
                }
                pending.clear();
                if (first != null) throw first;
            }

            @Override
            public void close() {
                closed = true; // the puts not started yet do nothing
                for (Future<?> put : pending.values()) {
                    try {
                        put.get(); // a put under way finishes before the batch is gone
                    } catch (ExecutionException | java.util.concurrent.CancellationException ignored) {
                        // not committed: its failure is nobody's to report
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                pending.clear();
            }
        };
    }

    /** Reads up to {@link #SMALL_FILES_IN_FLIGHT} files at once, handing each to {@code sink} as it arrives. */
    @Override
    public void readSmall(List<ArtifactPath> paths, int maxBytes, SmallFileSink sink) throws IOException {
        severalAtOnce(paths, path -> {
            Optional<OpenFile> file = openFile(path);
            if (file.isEmpty()) return null;
            try (InputStream in = file.get().in()) {
                return file.get().size() > maxBytes ? null : in.readNBytes((int) file.get().size());
            }
        }, sink::accept);
    }

    /** Up to this many paths, {@link #files} sends a {@code HeadObject} for each; more, it lists their folders. */
    static final int HEAD_LIMIT = 64;

    /**
     * Up to {@link #HEAD_LIMIT} paths: one {@code HeadObject} each; more: one listing of each of their folders (fewer requests, as long
     * as a folder holds fewer than a thousand files for each path asked about in it). Either way
     * {@link #SMALL_FILES_IN_FLIGHT} requests at once.
     */
    @Override
    public Set<ArtifactPath> files(Collection<ArtifactPath> paths) {
        Set<ArtifactPath> files = new HashSet<>();
        try {
            if (paths.size() <= HEAD_LIMIT) {
                severalAtOnce(new ArrayList<>(paths), this::isObject, (path, found) -> files.add(path));
            } else {
                Set<ArtifactPath> wanted = new HashSet<>(paths);
                List<ArtifactPath> folders = paths.stream().map(ArtifactPath::parent).distinct().toList();
                severalAtOnce(folders, this::list, (folder, listed) -> {
                    for (FileInfo f : listed) {
                        ArtifactPath p = ArtifactPath.parse(f.path());
                        if (!f.isDir() && wanted.contains(p)) files.add(p);
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // neither request throws it
        }
        return files;
    }

    /** True when an object is at {@code path}, else null (for {@link #severalAtOnce}). */
    private Boolean isObject(ArtifactPath path) {
        try {
            s3.headObject(b -> b.bucket(location.bucket()).key(location.key(path)));
            return Boolean.TRUE;
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return null;
            throw failure("stat", path, e);
        } catch (SdkException e) {
            throw failure("stat", path, e);
        }
    }

    /** One request about one path, run on a transfer thread; null when there is nothing to hand on. */
    private interface PathRequest<T> {
        T run(ArtifactPath path) throws IOException;
    }

    /**
     * Runs {@code request} for every path, up to {@link #SMALL_FILES_IN_FLIGHT} at once, and hands each non-null
     * result to {@code use} on the calling thread as it arrives; the first failure stops it.
     */
    private <T> void severalAtOnce(List<ArtifactPath> paths, PathRequest<T> request, PathResultUse<T> use) throws IOException {
        CompletionService<Map.Entry<ArtifactPath, Optional<T>>> done = new ExecutorCompletionService<>(transfers);
        List<Future<?>> started = new ArrayList<>();
        var next = paths.iterator();
        try {
            while (started.size() < SMALL_FILES_IN_FLIGHT && next.hasNext()) started.add(submit(done, next.next(), request));
            for (int running = started.size(); running > 0; ) {
                Map.Entry<ArtifactPath, Optional<T>> result = await(done.take());
                if (next.hasNext()) started.add(submit(done, next.next(), request)); // one ended, the next starts
                else running--;
                if (result.getValue().isPresent()) use.accept(result.getKey(), result.getValue().get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Interrupted while transferring", e);
        } finally {
            for (Future<?> f : started) f.cancel(false); // after a failure: those not started never run, those under way end unread
        }
    }

    private interface PathResultUse<T> {
        void accept(ArtifactPath path, T result) throws IOException;
    }

    private static <T> Future<Map.Entry<ArtifactPath, Optional<T>>> submit(
            CompletionService<Map.Entry<ArtifactPath, Optional<T>>> done, ArtifactPath path, PathRequest<T> request) {
        return done.submit(() -> Map.entry(path, Optional.ofNullable(request.run(path))));
    }

    private void abort(String key, String uploadId) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(key).uploadId(uploadId));
        } catch (SdkException ignored) {
            // the endpoint may be what failed; a bucket lifecycle rule on incomplete uploads cleans up the rest
        }
    }

    /** Fills {@code buffer} as far as the stream goes; returns the bytes read (less than a full part at the end). */
    private static int readPart(InputStream content, byte[] buffer, ArtifactPath path) {
        try {
            return content.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the content of artifact " + path, e);
        }
    }

    private static RequestBody body(byte[] buffer, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                "application/octet-stream");
    }

    @Override
    public InputStream open(ArtifactPath path) {
        return openFile(path).orElseThrow(() -> MlvException.notFound("Artifact '" + path + "' does not exist")).in();
    }

    @Override
    public Optional<OpenFile> openFile(ArtifactPath path) {
        if (path.isRoot()) return Optional.empty();
        try {
            ResponseInputStream<GetObjectResponse> object = s3.getObject(b -> b.bucket(location.bucket()).key(location.key(path)));
            return Optional.of(new OpenFile(new AbortOnEarlyClose(object), object.response().contentLength()));
        } catch (NoSuchKeyException e) {
            return Optional.empty(); // nothing, or a directory (a key prefix)
        } catch (SdkException e) {
            throw failure("read", path, e);
        }
    }

    @Override
    public Optional<FileInfo> stat(ArtifactPath path) {
        if (path.isRoot()) return Optional.of(new FileInfo("", true, null));
        String key = location.key(path);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(location.bucket()).key(key));
            return Optional.of(new FileInfo(path.toString(), false, head.contentLength()));
        } catch (NoSuchKeyException e) {
            // not a file; maybe a directory
        } catch (S3Exception e) {
            if (e.statusCode() != 404) throw failure("stat", path, e);
        } catch (SdkException e) {
            throw failure("stat", path, e);
        }
        boolean dir = call("stat", path, () -> s3.listObjectsV2(b -> b.bucket(location.bucket())
                .prefix(location.directoryKey(path)).maxKeys(1)).hasContents());
        return dir ? Optional.of(new FileInfo(path.toString(), true, null)) : Optional.empty();
    }

    @Override
    public List<FileInfo> list(ArtifactPath directory) {
        String prefix = location.directoryKey(directory);
        List<FileInfo> out = new ArrayList<>();
        call("list", directory, () -> {
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(prefix).delimiter("/"))) {
                for (CommonPrefix p : page.commonPrefixes()) {
                    String dirKey = p.prefix().substring(0, p.prefix().length() - 1);
                    out.add(new FileInfo(location.relativePath(dirKey).toString(), true, null));
                }
                for (S3Object o : page.contents()) {
                    if (o.key().equals(prefix)) continue; // a "folder" marker object some tools create
                    out.add(new FileInfo(location.relativePath(o.key()).toString(), false, o.size()));
                }
            }
            return null;
        });
        out.sort(Comparator.comparing(FileInfo::path));
        return out;
    }

    @Override
    public void delete(ArtifactPath path) {
        if (path.isRoot()) throw MlvException.invalid("Cannot delete the artifact root");
        String key = location.key(path);
        call("delete", path, () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(key)));
        String prefix = location.directoryKey(path);
        call("delete", path, () -> {
            List<ObjectIdentifier> batch = new ArrayList<>();
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(prefix))) {
                for (S3Object o : page.contents()) {
                    batch.add(ObjectIdentifier.builder().key(o.key()).build());
                    if (batch.size() == DELETE_BATCH) deleteBatch(batch, path);
                }
            }
            if (!batch.isEmpty()) deleteBatch(batch, path);
            return null;
        });
    }

    private void deleteBatch(List<ObjectIdentifier> batch, ArtifactPath path) {
        var response = s3.deleteObjects(b -> b.bucket(location.bucket()).delete(d -> d.objects(batch).quiet(true)));
        if (response.hasErrors() && !response.errors().isEmpty()) {
            var e = response.errors().get(0);
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot delete artifact '" + path + "' in " + location
                    + ": " + e.code() + " on " + e.key() + " (" + response.errors().size() + " failed)");
        }
        batch.clear();
    }

    @Override
    public Optional<Presigned> presign(ArtifactPath path, boolean upload, Duration validity) {
        if (path.isRoot()) throw MlvException.invalid("Invalid path '': a presigned URL names a file");
        String key = location.key(path);
        var signed = upload
                ? presigner().presignPutObject(r -> r.signatureDuration(validity).putObjectRequest(p -> p.bucket(location.bucket()).key(key)))
                : presigner().presignGetObject(r -> r.signatureDuration(validity).getObjectRequest(g -> g.bucket(location.bucket()).key(key)));
        return Optional.of(new Presigned(signed.url().toString(), headersToSend(signed.signedHeaders())));
    }

    @Override
    public MultipartUpload createMultipartUpload(ArtifactPath path, int numParts) {
        if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
        if (numParts < 1 || numParts > MAX_PARTS) {
            throw MlvException.invalid("Invalid value " + numParts + " for parameter 'num_parts': expected 1 to " + MAX_PARTS);
        }
        String key = location.key(path);
        String uploadId = call("write", path,
                () -> s3.createMultipartUpload(b -> b.bucket(location.bucket()).key(key)).uploadId());
        List<MultipartUpload.PartTarget> targets = new ArrayList<>(numParts);
        for (int part = 1; part <= numParts; part++) {
            int partNumber = part;
            PresignedUploadPartRequest signed = presigner().presignUploadPart(r -> r.signatureDuration(PRESIGNED_URL_VALIDITY)
                    .uploadPartRequest(u -> u.bucket(location.bucket()).key(key).uploadId(uploadId).partNumber(partNumber)));
            targets.add(new MultipartUpload.PartTarget(partNumber, signed.url().toString(), headersToSend(signed.signedHeaders())));
        }
        return new MultipartUpload(uploadId, targets);
    }

    @Override
    public void completeMultipartUpload(ArtifactPath path, String uploadId, List<MultipartUpload.UploadedPart> parts) {
        if (parts.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'parts'");
        List<CompletedPart> completed = parts.stream() // S3 wants them in ascending order
                .sorted(Comparator.comparingInt(MultipartUpload.UploadedPart::partNumber))
                .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.etag()).build()).toList();
        multipartCall("complete the multipart upload of", path, uploadId, () -> s3.completeMultipartUpload(b -> b.bucket(location.bucket())
                .key(location.key(path)).uploadId(uploadId).multipartUpload(m -> m.parts(completed))));
    }

    @Override
    public void abortMultipartUpload(ArtifactPath path, String uploadId) {
        multipartCall("abort the multipart upload of", path, uploadId, () -> s3.abortMultipartUpload(b -> b.bucket(location.bucket())
                .key(location.key(path)).uploadId(uploadId)));
    }

    /**
     * A request on a client's multipart upload: S3's answers to what the client got wrong (an unknown upload id,
     * parts it does not hold, a wrong ETag, parts too small) become 404 and 400, not server errors.
     */
    private void multipartCall(String action, ArtifactPath path, String uploadId, Runnable request) {
        if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
        if (uploadId == null || uploadId.isBlank()) throw MlvException.invalid("Missing value for required parameter 'upload_id'");
        try {
            request.run();
        } catch (S3Exception e) {
            String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            String what = "Cannot " + action + " artifact '" + path + "' in " + location + ": ";
            if ("NoSuchUpload".equals(code)) {
                throw MlvException.notFound(what + "no multipart upload with id '" + uploadId + "'");
            }
            if (e.statusCode() == 400 && code != null) throw MlvException.invalid(what + "S3 answered 400 " + code);
            throw failure(action, path, e);
        } catch (SdkException e) {
            throw failure(action, path, e);
        }
    }

    /** The headers a presigned request must carry, but Host, which the client's HTTP library sets from the URL. */
    private static Map<String, String> headersToSend(Map<String, List<String>> signed) {
        Map<String, String> headers = new TreeMap<>();
        signed.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("host") && !values.isEmpty()) headers.put(name, values.get(0));
        });
        return headers;
    }

        private S3Presigner presigner() {
        S3Presigner p = presigner;
        if (p == null) {
            synchronized (this) {
                if (presigner == null) presigner = S3Clients.presignerFor(s3);
                p = presigner;
            }
        }
        return p;
    }

    @Override
    public String uri() {
        return location.uri();
    }

    @Override
    public void close() {
        transfers.shutdown();
        if (presigner != null) presigner.close();
        if (ownsClient) s3.close();
    }

    private <T> T call(String action, ArtifactPath path, java.util.function.Supplier<T> request) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw failure(action, path, e);
        }
    }

    private MlvException failure(String action, ArtifactPath path, SdkException e) {
        String what = "Cannot " + action + " artifact '" + path + "' in " + location + ": ";
        if (e instanceof S3Exception s3e) {
            String code = s3e.awsErrorDetails() != null ? s3e.awsErrorDetails().errorCode() : null;
            String detail = "S3 answered " + s3e.statusCode() + (code != null ? " " + code : "");
            ErrorCode mapped = s3e.statusCode() >= 500 ? ErrorCode.TEMPORARILY_UNAVAILABLE : ErrorCode.INTERNAL_ERROR;
            return new MlvException(mapped, what + detail, e);
        }
        if (e instanceof SdkClientException) {
            return new MlvException(ErrorCode.TEMPORARILY_UNAVAILABLE,
                    what + "S3 endpoint unreachable (" + rootMessage(e) + ")", e);
        }
        return new MlvException(ErrorCode.INTERNAL_ERROR, what + rootMessage(e), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** A download stream that aborts the HTTP connection when closed before the end, rather than reading the rest. */
    private static final class AbortOnEarlyClose extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean ended;

        AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) ended = true;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0) ended = true;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!ended) response.abort();
            super.close();
        }
    }
}
