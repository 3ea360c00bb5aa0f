package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Where a repository's objects are shared: a local path, {@code s3://bucket/prefix}, an mlv server. Every remote
 * uses the cache's layout ({@code sha256/ab/cdef…}) below its root. Opened by URL through {@link Remotes}.
 *
 * <p>Contract shared by every implementation (checked by {@code RemoteContractTest}):
 * <ul>
 *   <li>Object names are valid {@link Digests} names; implementations validate them before building a path or key.</li>
 *   <li>{@link #missing} answers for a whole batch in one or a few round trips, never one request per object for
 *       large batches.</li>
 *   <li>{@link #upload} is atomic and idempotent: the object becomes visible complete or not at all, and a remote
 *       never makes visible bytes that do not hash to the name (it verifies them itself, or the implementation
 *       hashes the local file before it sends it). Uploading an object that exists is a no-op or an overwrite with
 *       the same bytes.</li>
 *   <li>{@link #list} and {@link #delete}, where a remote has them, see objects only: never a temp file of an
 *       upload in progress.</li>
 *   <li>{@link #open} streams an object; a missing object is {@code RESOURCE_DOES_NOT_EXIST}. Callers never trust
 *       the bytes: downloads go through {@link Cache#importVerified}, which checks the digest before the object
 *       becomes visible in the cache.</li>
 *   <li>Safe for concurrent use from {@link #parallelism()} threads. I/O failures are unchecked exceptions;
 *       {@link dev.mlv.errors.MlvException} for the cases above.</li>
 * </ul>
 */
public interface Remote extends AutoCloseable {

    /** The URL this remote was opened from. */
    String url();

    /** Of {@code names}, those the remote does not hold. */
    Set<String> missing(Collection<String> names);

    /** Uploads the local file {@code file} (a cache object of {@code size} bytes) as {@code name}. */
    void upload(String name, Path file, long size);

    /** An object to upload: its name, the cache file holding it, and its size. */
    record Upload(String name, Path file, long size) {
    }

    /**
     * How many small objects (of at most {@link ObjectBatch#MAX_OBJECT_BYTES} bytes) a push hands to
     * {@link #uploadAll}, and a fetch to {@link #openAll}, at once; 1 (the default) when the remote gains nothing from
     * batches.
     */
    default int batchSize() {
        return 1;
    }

    /**
     * Uploads {@code objects}, each as {@link #upload} does (atomic, verified). On failure, some of them may be on the
     * remote and others not. The default uploads them one after another.
     */
    default void uploadAll(List<Upload> objects) {
        for (Upload u : objects) upload(u.name(), u.file(), u.size());
    }

    /** Opens an object for reading; the caller closes the stream. */
    InputStream open(String name);

    /**
     * Opens several small objects at once and hands each one the remote holds to {@code each} (name and bytes, which
     * {@code each} reads before it returns), in any order. An object the remote lacks is left out, as is any the
     * remote does not send in a batch: the caller opens those one by one. The default opens them one by one.
     */
    default void openAll(List<String> names, BiConsumer<String, InputStream> each) {
        for (String name : names) {
            InputStream in;
            try {
                in = open(name);
            } catch (MlvException e) {
                if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) continue;
                throw e;
            }
            try (in) {
                each.accept(name, in);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    /**
     * Where an object of a remote that is a folder on this machine is, so that a download can copy the file itself
     * (a large one with direct I/O) instead of streaming it through {@link #open}; null for every other remote (the
     * default). The file may be missing; the caller verifies its bytes as it does a stream's.
     */
    default Path localFile(String name) {
        Digests.requireValid(name);
        return null;
    }

    /** An object a remote holds: its name, its size, and when it was written. */
    record Stored(String name, long size, Instant modified) {
    }

    /**
     * Every object the remote holds, in no particular order, for {@code gc --cloud}. Whatever is not an object (the
     * temp file of an upload in progress, a foreign file) is left out. A remote that cannot be listed throws
     * {@code NOT_IMPLEMENTED} (the default).
     */
    default List<Stored> list() {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, "Remote " + url() + " cannot list its objects");
    }

    /**
     * Deletes the objects {@code names} (validated first); one that is absent is no error. A remote that cannot delete
     * throws {@code NOT_IMPLEMENTED} (the default).
     */
    default void delete(Collection<String> names) {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, "Remote " + url() + " cannot delete objects");
    }

    /** Makes every upload so far durable (called once at the end of a push); a no-op where uploads already are. */
    default void flush() {
    }

    /** How many transfers to run at once. */
    default int parallelism() {
        return 8;
    }

    @Override
    default void close() {
    }
}
