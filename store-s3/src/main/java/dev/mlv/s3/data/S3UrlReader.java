package dev.mlv.s3.data;

import dev.mlv.data.UrlReader;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.s3.S3Clients;
import dev.mlv.s3.S3Location;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code s3://bucket/key} sources of {@code mlv data import-url}: the version is the object's ETag; a key with objects
 * under {@code key/} is a folder. The client comes
 * from the environment, as for the artifact store ({@link S3Clients#fromEnvironment()}: the standard credential chain,
 * {@code MLV_S3_ENDPOINT_URL} or {@code MLFLOW_S3_ENDPOINT_URL} for S3-compatible stores), or, for
 * {@code remote://NAME/…} URLs, from the options of that S3 remote ({@code endpoint_url}, {@code region},
 * {@code profile}), as {@link S3RemoteProvider} makes its client.
 */
public final class S3UrlReader implements UrlReader {
    private final Map<String, String> options;
    /** Made on first use, shared by this reader's requests (a folder's files download in parallel), closed with it. */
    private S3Client s3;

    /** The reader {@code META-INF/services} registers: its client from the environment. */
    public S3UrlReader() {
        this(Map.of());
    }

    private S3UrlReader(Map<String, String> options) {
        this.options = Map.copyOf(options);
    }

    @Override
    public UrlReader withOptions(Map<String, String> options) {
        return new S3UrlReader(options);
    }

    private synchronized S3Client s3() {
        if (s3 == null) s3 = S3RemoteProvider.client(options);
        return s3;
    }

    @Override
    public synchronized void close() {
        if (s3 != null) s3.close();
        s3 = null;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public void requireValid(String url) {
        object(url);
    }

    @Override
    public Version version(String url) {
        String[] at = object(url);
        HeadObjectResponse h = call(url, () -> s3().headObject(b -> b.bucket(at[0]).key(at[1])));
        return versionOf(h.eTag(), h.contentLength());
    }

    @Override
    public Opened open(String url) {
        String[] at = object(url);
        ResponseInputStream<GetObjectResponse> in = call(url, () -> s3().getObject(b -> b.bucket(at[0]).key(at[1])));
        return new Opened(in, versionOf(in.response().eTag(), in.response().contentLength()));
    }

    /** The objects under {@code url}'s key followed by {@code /}, at any depth (folder markers left out). */
    @Override
    public List<Listed> list(String url) {
        S3Location l = S3Location.parse(url);
        String prefix = l.prefix().toString() + "/";
        List<Listed> files = new ArrayList<>();
        call(url, () -> {
            s3().listObjectsV2Paginator(b -> b.bucket(l.bucket()).prefix(prefix)).contents().forEach(o -> {
                if (!o.key().endsWith("/")) files.add(new Listed(o.key().substring(prefix.length()), versionOf(o.eTag(), o.size())));
            });
            return null;
        });
        return files;
    }

    private static Version versionOf(String etag, Long size) {
        return new Version(etag, null, size, null);
    }

    /** Bucket and key of {@code url}, checked: a key naming an object or a folder, not a whole bucket. */
    private static String[] object(String url) {
        S3Location l = S3Location.parse(url);
        String key = l.prefix().toString();
        if (key.isEmpty()) {
            throw MlvException.invalid("'" + url + "' names a whole bucket: import-url takes s3://bucket/key of a file or folder");
        }
        return new String[]{l.bucket(), key};
    }

    /** Runs one S3 request; a missing object is {@code RESOURCE_DOES_NOT_EXIST}, other failures name the URL. */
    private static <T> T call(String url, Supplier<T> request) {
        try {
            return request.get();
        } catch (NoSuchKeyException e) {
            throw MlvException.notFound("No object at " + url);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) throw MlvException.notFound("No object at " + url);
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": " + e.awsErrorDetails().errorMessage()
                    + " (HTTP " + e.statusCode() + ")");
        } catch (SdkException e) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": " + e.getMessage());
        }
    }
}
