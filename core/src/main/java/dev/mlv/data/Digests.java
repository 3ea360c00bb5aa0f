package dev.mlv.data;

import dev.mlv.errors.MlvException;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of content-addressed objects: a SHA-256 digest as 64 lower-case hex characters, with a {@code .dir} suffix
 * for a directory manifest. Every name read from a pointer, a manifest, a remote or the wire goes through
 * {@link #requireValid} before it is used to build a path or a key.
 */
public final class Digests {
    public static final String ALGORITHM = "sha256";
    public static final String DIR_SUFFIX = ".dir";
    private static final HexFormat HEX = HexFormat.of();

    private Digests() {
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] digest) {
        return HEX.formatHex(digest);
    }

    public static String sha256(byte[] bytes) {
        return sha256(bytes, bytes.length);
    }

    /** The digest of the first {@code length} bytes. */
    public static String sha256(byte[] bytes, int length) {
        MessageDigest md = newSha256();
        md.update(bytes, 0, length);
        return hex(md.digest());
    }

    /** True for {@code <64 lower-case hex>} and {@code <64 lower-case hex>.dir} (checked by hand: called per file). */
    public static boolean isValid(String name) {
        if (name == null || (name.length() != 64 && !(name.length() == 64 + DIR_SUFFIX.length() && name.endsWith(DIR_SUFFIX)))) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = name.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) return false;
        }
        return true;
    }

    public static boolean isManifest(String name) {
        return name.endsWith(DIR_SUFFIX);
    }

    /** The 64 hex digits of a name, without {@code .dir}. */
    public static String hexPart(String name) {
        return isManifest(name) ? name.substring(0, name.length() - DIR_SUFFIX.length()) : name;
    }

    /** Throws {@code INVALID_PARAMETER_VALUE} unless {@code name} is a valid object name. */
    public static String requireValid(String name) {
        if (!isValid(name)) {
            String shown = name == null ? "null" : name.length() > 80 ? name.substring(0, 80) + "…" : name;
            throw MlvException.invalid("Invalid object digest '" + shown.replaceAll("\\p{Cntrl}", "?")
                    + "': expected 64 lower-case hex characters (sha256), optionally followed by .dir");
        }
        return name;
    }

    /** Length of {@link #datasetDigest}: MLflow stores dataset digests in at most 36 characters. */
    public static final int DATASET_DIGEST_LENGTH = 32;

    /**
     * The digest recorded for a dataset version in run inputs ({@code datasets.digest}): the first 32 hex characters
     * (128 bits) of the object's SHA-256, which fits MLflow's 36-character column; the full name goes in the source.
     */
    public static String datasetDigest(String name) {
        return hexPart(requireValid(name)).substring(0, DATASET_DIGEST_LENGTH);
    }

    /** The object's path below a store root: {@code sha256/ab/cdef…} (the same layout in the cache and in remotes). */
    public static String relativePath(String name) {
        requireValid(name);
        return ALGORITHM + "/" + name.substring(0, 2) + "/" + name.substring(2);
    }
}
