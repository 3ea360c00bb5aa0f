package dev.mlv.artifacts;

import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where artifact bytes live: local files, S3, … chosen by URI scheme through {@link ArtifactStores}.
 *
 * <p>Contract shared by every backend (checked by {@code ArtifactStoreContractTest}):
 * <ul>
 *   <li>Paths are {@link ArtifactPath}s, already validated; a backend never sees a raw user string.</li>
 *   <li>{@link #put} streams (memory stays flat whatever the size) and is atomic: readers see the old bytes or the
 *       new ones, never a partial file; a failed put leaves nothing behind.</li>
 *   <li>{@link #open} throws {@code RESOURCE_DOES_NOT_EXIST} for a missing file; the caller closes the stream.</li>
 *   <li>{@link #list} returns the direct children of a directory sorted by path, with paths relative to the store
 *       root; a missing directory lists as empty.</li>
 *   <li>{@link #delete} removes a file or a whole directory; deleting what does not exist is not an error.</li>
 *   <li>Safe for concurrent use.</li>
 * </ul>
 */
public interface ArtifactStore extends AutoCloseable {

    /** Writes {@code content} to {@code path}, replacing any file there; returns the number of bytes written. */
    long put(ArtifactPath path, InputStream content);

    InputStream open(ArtifactPath path);

    /** Size and kind of what is at {@code path}, if anything. */
    Optional<FileInfo> stat(ArtifactPath path);

    List<FileInfo> list(ArtifactPath directory);

    void delete(ArtifactPath path);

    /** The URI this store was opened from, e.g. {@code file:///home/me/.mlv/artifacts} or {@code s3://bucket/prefix}. */
    String uri();

    @Override
    default void close() {
    }
}
