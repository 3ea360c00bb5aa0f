package dev.mlv.s3.data;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.data.Digests;
import dev.mlv.data.Hashing;
import dev.mlv.data.Remote;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.s3.S3ArtifactStore;
import dev.mlv.s3.S3Clients;
import dev.mlv.s3.S3Location;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A data remote at {@code s3://bucket/prefix}: objects under {@code prefix/sha256/ab/cdef…}.
 *
 * <p>{@link #missing} asks {@link S3ArtifactStore#files}: one HEAD per object for small batches, a listing of each
 * {@code sha256/ab/} prefix that holds wanted names for large ones, several requests at once. {@link #upload} hashes the local file
 * first and refuses to send bytes that do not match the name; a single {@code PutObject} (multipart through
 * {@link S3ArtifactStore} above 4 GiB) makes the object visible atomically.
 */
public final class S3Remote implements Remote {
    private static final long SINGLE_PUT_LIMIT = 4L << 30;
    /** Keys per DeleteObjects request: S3's limit. */
    private static final int DELETE_BATCH = 1000;
    private final S3Client s3;
    private final S3Location location;
    private final boolean ownsClient;
    /** The same objects seen as an artifact store: multipart uploads and many existence checks at once. */
    private final S3ArtifactStore store;

    public S3Remote(S3Client s3, S3Location location, boolean ownsClient) {
        this.s3 = s3;
        this.location = location;
        this.ownsClient = ownsClient;
        this.store = new S3ArtifactStore(s3, location, S3ArtifactStore.DEFAULT_PART_SIZE, false);
    }

    /** Opens {@code s3://bucket/prefix} with a client from {@link S3Clients#fromEnvironment()}. */
    public static S3Remote fromUrl(String url) {
        S3Location location = S3Location.parse(url); // a bad URL fails before a client is made
        return new S3Remote(S3Clients.fromEnvironment(), location, true);
    }

    private String key(String name) {
        return location.key(ArtifactPath.parse(Digests.relativePath(name)));
    }

    @Override
    public String url() {
        return location.uri();
    }

    @Override
    public Set<String> missing(Collection<String> names) {
        Map<ArtifactPath, String> byPath = new LinkedHashMap<>();
        for (String n : names) byPath.put(ArtifactPath.parse(Digests.relativePath(n)), n);
        Set<ArtifactPath> present;
        try {
            present = store.files(byPath.keySet());
        } catch (MlvException e) {
            if (e.getCause() instanceof SdkException s3e) throw wrap("list", location.uri(), s3e);
            throw e;
        }
        Set<String> out = new LinkedHashSet<>();
        byPath.forEach((path, name) -> {
            if (!present.contains(path)) out.add(name);
        });
        return out;
    }

    @Override
    public void upload(String name, Path file, long size) {
        Hashing.Result r = Hashing.hash(file);
        if (!r.digest().equals(Digests.hexPart(name))) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Local object " + name + " is corrupt (its bytes hash to "
                    + r.digest() + "); not uploaded. Run 'mlv data fsck'");
        }
        try {
            if (r.size() <= SINGLE_PUT_LIMIT) {
                s3.putObject(b -> b.bucket(location.bucket()).key(key(name)).contentLength(r.size()), RequestBody.fromFile(file));
            } else {
                try (InputStream in = Files.newInputStream(file)) {
                    store.put(ArtifactPath.parse(Digests.relativePath(name)), in, r.size());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SdkException e) {
            throw wrap("upload", name, e);
        }
    }

    @Override
    public InputStream open(String name) {
        try {
            return s3.getObject(b -> b.bucket(location.bucket()).key(key(name)));
        } catch (NoSuchKeyException e) {
            throw MlvException.notFound("Object " + name + " is not in remote " + location.uri());
        } catch (SdkException e) {
            throw wrap("download", name, e);
        }
    }

    @Override
    public List<Stored> list() {
        String dirKey = location.directoryKey(ArtifactPath.parse(Digests.ALGORITHM));
        List<Stored> out = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(dirKey)).contents()) {
                String rest = o.key().substring(dirKey.length()); // ab/cdef…
                String name = rest.length() > 3 && rest.charAt(2) == '/' ? rest.substring(0, 2) + rest.substring(3) : "";
                if (Digests.isValid(name)) out.add(new Stored(name, o.size(), o.lastModified()));
            }
        } catch (SdkException e) {
            throw wrap("list", location.uri(), e);
        }
        return out;
    }

    @Override
    public void delete(Collection<String> names) {
        names.forEach(Digests::requireValid);
        List<String> all = new ArrayList<>(names);
        for (int i = 0; i < all.size(); i += DELETE_BATCH) {
            List<ObjectIdentifier> batch = all.subList(i, Math.min(all.size(), i + DELETE_BATCH)).stream()
                    .map(n -> ObjectIdentifier.builder().key(key(n)).build()).toList();
            try {
                var response = s3.deleteObjects(b -> b.bucket(location.bucket()).delete(d -> d.objects(batch).quiet(true)));
                if (response.hasErrors() && !response.errors().isEmpty()) {
                    var e = response.errors().get(0);
                    throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot delete objects from " + location.uri() + ": " + e.code()
                            + " on " + e.key() + " (" + response.errors().size() + " failed)");
                }
            } catch (SdkException e) {
                throw wrap("delete", location.uri(), e);
            }
        }
    }

    @Override
    public int parallelism() {
        return 16;
    }

    private static MlvException wrap(String op, String what, Throwable e) {
        if (e instanceof MlvException m) return m;
        ErrorCode code = e instanceof SdkClientException || (e instanceof S3Exception s && s.statusCode() >= 500)
                ? ErrorCode.TEMPORARILY_UNAVAILABLE : ErrorCode.INTERNAL_ERROR;
        String detail = e instanceof S3Exception s && s.awsErrorDetails() != null ? s.awsErrorDetails().errorCode() : e.getMessage();
        return new MlvException(code, "S3 " + op + " of " + what + " failed: " + detail, e);
    }

    @Override
    public void close() {
        store.close(); // its own transfer threads; the client is this remote's to close
        if (ownsClient) s3.close();
    }
}
