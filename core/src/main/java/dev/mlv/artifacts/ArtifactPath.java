package dev.mlv.artifacts;

import dev.mlv.errors.MlvException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relative path inside an artifact store: the one place where a path coming from a user is validated.
 *
 * <p>The raw string is percent-decoded until it no longer changes (so double and triple encoding are seen
 * through), then rejected when it holds a {@code ..} segment, a backslash, {@code ;}, {@code #}, {@code ?}, NUL or
 * another control character (C0, DEL or C1), when it is absolute ({@code /x}, {@code C:}, {@code ~}), when a
 * percent-escape decodes to malformed UTF-8, or when it is longer than {@value #MAX_LENGTH} characters or has a
 * segment longer than {@value #MAX_SEGMENT_BYTES} bytes. Empty and {@code .} segments are dropped, so
 * {@code a//./b} is {@code a/b}. The empty path is the root.
 *
 * <p>Symlinks are the file system's business: {@link #resolveUnder(Path)} checks that what the path points at,
 * symlinks followed, stays under the root.
 */
public final class ArtifactPath {
    private static final Pattern PERCENT = Pattern.compile("%([0-9A-Fa-f]{2})");
    private static final int MAX_DECODE_ROUNDS = 8;
    public static final int MAX_LENGTH = 4096;
    /** The longest file name most file systems accept (ext4, XFS, APFS, NTFS in UTF-16 units). */
    public static final int MAX_SEGMENT_BYTES = 255;
    public static final ArtifactPath ROOT = new ArtifactPath(List.of());

    private final List<String> segments;

    private ArtifactPath(List<String> segments) {
        this.segments = segments;
    }

    /** Validates a user-supplied path; throws {@code INVALID_PARAMETER_VALUE} (HTTP 400) naming the problem. */
    public static ArtifactPath parse(String raw) {
        if (raw == null || raw.isEmpty()) return ROOT;
        if (raw.length() > MAX_LENGTH) throw bad(raw, "longer than " + MAX_LENGTH + " characters");
        String decoded = decodeAndCheckCharacters(raw);
        if (decoded.startsWith("~")) throw bad(raw, "home-relative path");
        return relative(raw, decoded);
    }

    /**
     * Validates a relative path of a local file-system entry taken literally: no percent-decoding, and {@code %},
     * {@code ;}, {@code #}, {@code ?} are ordinary file-name characters. Rejects what {@link #parse} rejects otherwise
     * (control/NUL characters, backslashes, absolute paths, {@code ..} segments, overlong names). Used for dataset
     * paths in pointer files and directory manifests, where names are data rather than parts of a URL.
     */
    public static ArtifactPath parseLiteral(String raw) {
        if (raw == null || raw.isEmpty()) return ROOT;
        if (raw.length() > MAX_LENGTH) throw bad(raw, "longer than " + MAX_LENGTH + " characters");
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isISOControl(c)) throw bad(raw, "control or NUL character");
            if (c == '\\') throw bad(raw, "backslash");
        }
        return relative(raw, raw);
    }

    /** The segments of {@code path} (the checked text of {@code raw}): relative, no {@code ..}, none overlong. */
    private static ArtifactPath relative(String raw, String path) {
        if (path.startsWith("/")) throw bad(raw, "absolute path");
        if (path.length() >= 2 && Character.isLetter(path.charAt(0)) && path.charAt(1) == ':') {
            throw bad(raw, "drive or scheme prefix");
        }
        List<String> segs = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) throw bad(raw, "'..' segment");
            if (s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw bad(raw, "a segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            segs.add(s);
        }
        return segs.isEmpty() ? ROOT : new ArtifactPath(Collections.unmodifiableList(segs));
    }

    /**
     * Percent-decodes {@code raw} to a fixpoint and rejects NUL/control characters, backslashes, {@code ;},
     * {@code #} and {@code ?} in the result; returns the decoded text. Shared by {@link #parse} and by validators of
     * whole URIs (e.g. {@code dev.mlv.registry.SourceValidator}) so both see through the same encodings.
     */
    public static String decodeAndCheckCharacters(String raw) {
        String decoded = decodeFully(raw);
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (Character.isISOControl(c)) throw bad(raw, "control or NUL character");
            if (c == '\\') throw bad(raw, "backslash");
            if (c == ';' || c == '#' || c == '?') throw bad(raw, "'" + c + "'");
        }
        return decoded;
    }

    /** Decodes %XX escapes repeatedly until a fixpoint; a decoding that never settles is rejected. */
    public static String decodeFully(String raw) {
        String current = raw;
        for (int round = 0; round < MAX_DECODE_ROUNDS; round++) {
            String next = decodeOnce(current);
            if (next.equals(current)) return current;
            current = next;
        }
        throw bad(raw, "too deeply percent-encoded");
    }

    private static String decodeOnce(String s) {
        if (s.indexOf('%') < 0) return s;
        Matcher m = PERCENT.matcher(s);
        var bytes = new java.io.ByteArrayOutputStream();
        int last = 0;
        while (m.find()) {
            bytes.writeBytes(s.substring(last, m.start()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            bytes.write(Integer.parseInt(m.group(1), 16));
            last = m.end();
        }
        bytes.writeBytes(s.substring(last).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
            // strict: an escape such as %c0%ae (overlong '.') must not silently turn into a replacement character
            return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw bad(s, "percent-escapes that are not valid UTF-8");
        }
    }

    private static MlvException bad(String raw, String why) {
        String shown = raw.length() > 200 ? raw.substring(0, 200) + "…" : raw;
        StringBuilder printable = new StringBuilder(shown.length());
        shown.chars().forEach(c -> printable.append(Character.isISOControl(c) ? '?' : (char) c));
        shown = printable.toString();
        return MlvException.invalid("Invalid path '" + shown + "': " + why);
    }

    public boolean isRoot() {
        return segments.isEmpty();
    }

    /** The path as a URL path: each segment percent-encoded (a space as {@code %20}), joined by {@code /}. */
    public String toUrlPath() {
        List<String> encoded = new java.util.ArrayList<>(segments().size());
        for (String seg : segments()) {
            encoded.add(java.net.URLEncoder.encode(seg, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", encoded);
    }

    public List<String> segments() {
        return segments;
    }

    /** The last segment, or "" for the root. */
    public String name() {
        return segments.isEmpty() ? "" : segments.get(segments.size() - 1);
    }

    public ArtifactPath parent() {
        return segments.size() <= 1 ? ROOT : new ArtifactPath(segments.subList(0, segments.size() - 1));
    }

    /** Appends a validated child path. */
    public ArtifactPath resolve(ArtifactPath child) {
        if (child.isRoot()) return this;
        if (isRoot()) return child;
        List<String> all = new ArrayList<>(segments);
        all.addAll(child.segments);
        return new ArtifactPath(Collections.unmodifiableList(all));
    }

    /** Appends a user-supplied child path, validating it. */
    public ArtifactPath resolve(String child) {
        return resolve(parse(child));
    }

    public boolean startsWith(ArtifactPath prefix) {
        return segments.size() >= prefix.segments.size() && segments.subList(0, prefix.segments.size()).equals(prefix.segments);
    }

    /** This path relative to {@code prefix}, which it must start with. */
    public ArtifactPath relativize(ArtifactPath prefix) {
        if (!startsWith(prefix)) throw new IllegalArgumentException(this + " is not under " + prefix);
        return new ArtifactPath(segments.subList(prefix.segments.size(), segments.size()));
    }

    /**
     * The local file this path names under {@code root}, checked to stay under the root once symlinks are followed
     * (for the longest part of the path that exists). Throws {@code INVALID_PARAMETER_VALUE} when it escapes.
     */
    public Path resolveUnder(Path root) {
        try {
            Path realRoot = root.toAbsolutePath().normalize();
            if (java.nio.file.Files.exists(realRoot)) realRoot = realRoot.toRealPath();
            Path target = realRoot;
            for (String s : segments) target = target.resolve(s);
            Path existing = target;
            while (existing != null && !java.nio.file.Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing != null) {
                Path real = java.nio.file.Files.exists(existing) ? existing.toRealPath() : null;
                if (real == null || !real.startsWith(realRoot)) throw bad(toString(), "leaves the artifact root (symlink)");
            }
            return target;
        } catch (java.io.IOException e) {
            throw bad(toString(), "cannot be resolved: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return String.join("/", segments);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArtifactPath p && p.segments.equals(segments);
    }

    @Override
    public int hashCode() {
        return segments.hashCode();
    }
}
