package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.MlvException;

import java.util.regex.Pattern;

/**
 * A bucket and a key prefix parsed from {@code s3://bucket/prefix}: the root under which a store keeps its objects.
 *
 * <p>Object keys are only ever built from a validated {@link ArtifactPath} ({@link #key}), so a user string can never
 * address an object outside the prefix. The prefix itself is validated by {@link ArtifactPath#parse} as well: no
 * {@code ..}, no backslash, no control characters; empty segments are dropped ({@code s3://b//x/} is {@code s3://b/x}).
 *
 * @param bucket a bucket name as S3 accepts it (3–63 characters: lower-case letters, digits, dots, hyphens;
 *               underscores are also accepted for S3-compatible stores)
 * @param prefix the key prefix, the root path of the store ({@link ArtifactPath#ROOT} for the whole bucket)
 */
public record S3Location(String bucket, ArtifactPath prefix) {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");

    public S3Location {
        if (bucket == null || !BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw MlvException.invalid("Invalid S3 bucket name '" + bucket
                    + "': 3 to 63 characters, lower-case letters, digits, '.', '-'");
        }
        if (prefix == null) prefix = ArtifactPath.ROOT;
    }

    /** Parses {@code s3://bucket} or {@code s3://bucket/some/prefix}; throws {@code INVALID_PARAMETER_VALUE}. */
    public static S3Location parse(String uri) {
        if (uri == null || !uri.regionMatches(true, 0, "s3://", 0, 5)) {
            throw MlvException.invalid("Invalid S3 URI '" + uri + "': expected s3://bucket/prefix");
        }
        String rest = uri.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (bucket.isEmpty()) throw MlvException.invalid("Invalid S3 URI '" + uri + "': no bucket");
        return new S3Location(bucket, ArtifactPath.parse(prefix));
    }

    /** The object key of {@code path} under this prefix, e.g. {@code prefix/a/b.txt}; "" for the root of a bucket. */
    public String key(ArtifactPath path) {
        return prefix.resolve(path).toString();
    }

    /**
     * The key prefix that lists what is inside the directory {@code path}: {@code prefix/a/} (with the trailing
     * slash), or "" for the root of a bucket.
     */
    public String directoryKey(ArtifactPath path) {
        String key = key(path);
        return key.isEmpty() ? "" : key + "/";
    }

    /**
     * The path, relative to this location, of an object key listed under it; throws {@code IllegalArgumentException}
     * for a key outside the prefix.
     */
    public ArtifactPath relativePath(String key) {
        String root = directoryKey(ArtifactPath.ROOT);
        if (!key.startsWith(root)) throw new IllegalArgumentException("Key '" + key + "' is not under " + this);
        return ArtifactPath.parse(key.substring(root.length()));
    }

    /** This location moved down to {@code child}: {@code s3://bucket/prefix/child}. */
    public S3Location resolve(ArtifactPath child) {
        return new S3Location(bucket, prefix.resolve(child));
    }

    /** {@code s3://bucket/prefix} (no trailing slash; {@code s3://bucket} for the whole bucket). */
    public String uri() {
        return prefix.isRoot() ? "s3://" + bucket : "s3://" + bucket + "/" + prefix;
    }

    @Override
    public String toString() {
        return uri();
    }
}
