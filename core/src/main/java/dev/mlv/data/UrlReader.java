package dev.mlv.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a file or folder at a URL for {@code mlv data import-url}: the version the source holds now, and its bytes. Local
 * paths and {@code http(s)://} are built in ({@link UrlReaders}); other schemes come from providers registered in
 * {@code META-INF/services/dev.mlv.data.UrlReader} ({@code s3://} in the store-s3 module).
 *
 * <p>Implementations validate the URL (a malformed one is {@code INVALID_PARAMETER_VALUE}), answer
 * {@code RESOURCE_DOES_NOT_EXIST} when there is no file there, and never write anything. One reader serves one
 * command's requests to its source (a folder's files share its client), and may be used from several threads.
 */
public interface UrlReader extends AutoCloseable {
    /**
     * What identifies the version a source holds, each part null when the source does not give it: the {@code etag}
     * (S3, HTTP), the {@code modified} time (HTTP's Last-Modified), the {@code size}, and the SHA-256 {@code digest} of
     * the bytes (local files, and sources that give neither etag nor time).
     */
    record Version(String etag, String modified, Long size, String digest) {
        /** Whether this version names the bytes by something other than their digest. */
        public boolean hasTag() {
            return etag != null || modified != null;
        }
    }

    /** A file being read, and the version its bytes belong to (as the response that carries them says). */
    record Opened(InputStream body, Version version) implements Closeable {
        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** A file inside a folder at a URL: its path there ({@code /}-separated) and its version. */
    record Listed(String relpath, Version version) {
    }

    /** Lower-case schemes, e.g. {@code s3}. */
    Set<String> schemes();

    /**
     * A reader of this kind configured with the options of a data remote of the same scheme in {@code .mlv/config}
     * (those its {@link RemoteProvider} takes, e.g. an S3 remote's {@code endpoint_url}), for {@code remote://NAME/…}
     * URLs; this reader itself when there are none. Readers without options refuse any.
     */
    default UrlReader withOptions(Map<String, String> options) {
        if (options.isEmpty()) return this;
        throw dev.mlv.errors.MlvException.invalid("Sources with scheme " + schemes() + " take no remote options, not " + options.keySet());
    }

    /** Throws {@code INVALID_PARAMETER_VALUE} when {@code url} cannot name a file this reader reads; reads nothing. */
    void requireValid(String url);

    /** The version at {@code url} now, without downloading it where the source can say (a HEAD request). */
    Version version(String url);

    /** Opens the file at {@code url}. */
    Opened open(String url);

    /**
     * The files inside the folder at {@code url}, at any depth, each with the version the listing gives (a size at
     * least); empty when {@code url} names no folder (a file, or nothing). Sources without folders (HTTP) list nothing.
     */
    List<Listed> list(String url);

    /** Releases what the reader holds (a client and its connections); the readers {@link UrlReaders} gives are closed after use. */
    @Override
    default void close() {
    }

    /** The URL of the file at {@code relpath} inside the folder {@code url}. */
    default String child(String url, String relpath) {
        return (url.endsWith("/") ? url : url + "/") + relpath;
    }
}
