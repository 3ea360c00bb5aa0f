package dev.mlv.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code PATH.mlv} file: the small YAML document, meant for git, that names the version of tracked data.
 *
 * <pre>
 * outs:
 * - path: train.csv
 *   hash: sha256
 *   digest: 9f86d0…
 *   size: 1048576
 *   nfiles: 3          # directories only; their digest ends in .dir
 * deps:                # imported data only ('mlv data import'), as DVC writes it
 * - path: data/train.csv
 *   repo:
 *     url: ../registry   # as given; a local path relative to the pointer's folder
 *     rev: v1.0          # when one was asked for (else the repository's HEAD)
 *     rev_lock: 1a2b…    # the commit the data was taken from
 *     remote: backup     # when one was asked for (else the source's default remote)
 * </pre>
 *
 * Data imported from a URL ('mlv data import-url', as DVC's {@code import-url}) has instead one {@code deps} entry
 * with the URL and what identified the source's version when it was downloaded ({@link External}):
 * <pre>
 * deps:
 * - path: s3://bucket/data/train.csv   # s3://, http(s)://, or a local path (relative to the pointer's folder)
 *   etag: 9b2cf535f27731c974343645a3985328   # s3, http: the ETag the source sent
 *   modified: Wed, 21 Oct 2026 07:28:00 GMT  # http without an ETag: Last-Modified
 *   size: 1048576
 *   digest: 9f86d0…                     # local files: their SHA-256
 * </pre>
 *
 * Imported data may be frozen ('mlv data freeze', as DVC's {@code frozen: true}): 'update' and 'status' leave its
 * source alone until it is unfrozen.
 *
 * {@link #read} rejects anything malformed with one clear {@code INVALID_PARAMETER_VALUE}; {@link #write} replaces the
 * file atomically.
 */
public record PointerFile(List<Out> outs, Import source, External external, boolean frozen) {
    public static final String SUFFIX = ".mlv";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

    /**
     * One tracked output.
     *
     * @param path   relative to the folder holding the pointer file
     * @param digest object name: 64 hex digits, {@code .dir} for a directory
     * @param size   bytes (for a directory: the sum over its files)
     * @param nfiles number of files of a directory, null for a file
     */
    public record Out(String path, String digest, long size, Integer nfiles) {
        public Out {
            ArtifactPath.parseLiteral(path);
            Digests.requireValid(digest);
        }

        public boolean isDirectory() {
            return Digests.isManifest(digest);
        }
    }

    /**
     * Where imported data comes from: the data {@code path} of the git repository {@code url} at commit
     * {@code revLock}, which {@code rev} (null: HEAD) named when it was imported or last updated, downloaded from the
     * source's remote {@code remote} (null: its default remote).
     */
    public record Import(String path, String url, String rev, String revLock, String remote) {
        public Import {
            if (url == null || url.isBlank()) throw MlvException.invalid("missing 'url'");
            ArtifactPath.parseLiteral(path);
            if (rev != null) Git.requireRevision(rev);
            if (revLock == null || !revLock.matches("[0-9a-f]{40}|[0-9a-f]{64}")) throw MlvException.invalid("invalid 'rev_lock'");
        }

        /** The same import for a pointer moved from folder {@code from} to folder {@code to}. */
        public Import relocated(Path from, Path to) {
            String moved = relocate(url, from, to);
            return moved.equals(url) ? this : new Import(path, moved, rev, revLock, remote);
        }
    }

    /**
     * Where data imported from a URL comes from, and the version of it that was downloaded: the source's {@code etag}
     * (S3, HTTP), else its {@code modified} time (HTTP), else the {@code digest} of its bytes (local files); its
     * {@code size} when known. A local {@code url} is a path relative to the pointer's folder unless absolute.
     */
    public record External(String url, String etag, String modified, Long size, String digest) {
        public External {
            if (url == null || url.isBlank()) throw MlvException.invalid("missing 'path'");
            if (etag == null && modified == null && digest == null) throw MlvException.invalid("no 'etag', 'modified' or 'digest'");
            if (digest != null) Digests.requireValid(digest);
        }

        /** The identity of the version the source holds now, as {@link UrlReader} reports it. */
        public static External of(String url, UrlReader.Version v) {
            return new External(url, v.etag(), v.etag() == null ? v.modified() : null, v.size(), v.digest());
        }

        /** Whether the source still holds the version that was downloaded. */
        public boolean sameVersion(UrlReader.Version now) {
            if (etag != null) return etag.equals(now.etag());
            if (modified != null) return modified.equals(now.modified()) && (size == null || size.equals(now.size()));
            return digest.equals(now.digest());
        }

        /** The version, as a person reads it in a message. */
        public String version() {
            if (etag != null) return "etag " + etag;
            if (modified != null) return "modified " + modified;
            return "sha256 " + digest.substring(0, 12);
        }

        /** The same source for a pointer moved from folder {@code from} to folder {@code to}. */
        public External relocated(Path from, Path to) {
            String moved = relocate(url, from, to);
            return moved.equals(url) ? this : new External(moved, etag, modified, size, digest);
        }
    }

    /** Whether a source {@code url} is a local path relative to the pointer's folder. */
    public static boolean isRelativePath(String url) {
        return ArtifactStores.schemeOf(url) == null && !Path.of(url).isAbsolute();
    }

    /** A source relative to folder {@code from}, as seen from folder {@code to}; any other URL is kept as it is. */
    private static String relocate(String url, Path from, Path to) {
        if (!isRelativePath(url)) return url;
        String moved = to.toAbsolutePath().relativize(from.toAbsolutePath().resolve(url).normalize()).toString();
        return moved.isEmpty() ? "." : moved;
    }

    public PointerFile {
        outs = List.copyOf(outs);
        if (source != null && external != null) throw new IllegalArgumentException("an import has one source");
        if (frozen && source == null && external == null) throw new IllegalArgumentException("only imported data is frozen");
    }

    public PointerFile(List<Out> outs, Import source, External external) {
        this(outs, source, external, false);
    }

    public PointerFile(List<Out> outs, Import source) {
        this(outs, source, null);
    }

    /** This pointer, frozen or not. */
    public PointerFile withFrozen(boolean f) {
        return new PointerFile(outs, source, external, f);
    }

    public PointerFile(List<Out> outs) {
        this(outs, null, null);
    }

    /** Whether the data comes from elsewhere ('mlv data import' or 'import-url'): it is updated, not added. */
    public boolean isImported() {
        return source != null || external != null;
    }

    /** Where imported data comes from, as a person reads it; null for data of this repository. */
    public String origin() {
        if (source != null) return source.url() + " (" + source.path() + ")";
        return external != null ? external.url() : null;
    }

    public static PointerFile of(Out out) {
        return new PointerFile(List.of(out));
    }

    public static PointerFile read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw MlvException.notFound("Pointer file " + file + " does not exist");
        } catch (IOException e) {
            throw new MlvException(dev.mlv.errors.ErrorCode.INTERNAL_ERROR, "Cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(bytes, file.toString());
    }

    /** Parses pointer YAML; {@code where} names it in errors. */
    public static PointerFile parse(byte[] bytes, String where) {
        JsonNode root;
        try {
            root = YAML.readTree(bytes);
        } catch (IOException e) {
            throw bad(where, "not valid YAML (" + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()) + ")");
        } catch (RuntimeException e) {
            throw bad(where, "not valid YAML (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject() || !root.path("outs").isArray() || root.path("outs").isEmpty()) {
            throw bad(where, "expected a mapping with a non-empty 'outs' list");
        }
        List<Out> outs = new ArrayList<>();
        for (JsonNode o : root.get("outs")) {
            if (!o.isObject()) throw bad(where, "each entry of 'outs' must be a mapping");
            String path = text(o, "path", where);
            String hash = o.path("hash").asText(Digests.ALGORITHM);
            if (!Digests.ALGORITHM.equals(hash)) throw bad(where, "unsupported hash '" + hash + "' (only sha256)");
            String digest = text(o, "digest", where);
            if (!Digests.isValid(digest)) throw bad(where, "invalid digest '" + abbreviate(digest) + "'");
            if (!o.path("size").canConvertToLong() || o.path("size").asLong() < 0) throw bad(where, "missing or invalid 'size'");
            Integer nfiles = null;
            if (o.has("nfiles")) {
                if (!o.get("nfiles").canConvertToInt() || o.get("nfiles").asInt() < 0) throw bad(where, "invalid 'nfiles'");
                nfiles = o.get("nfiles").asInt();
            }
            if (Digests.isManifest(digest) && nfiles == null) throw bad(where, "a directory entry needs 'nfiles'");
            try {
                ArtifactPath p = ArtifactPath.parseLiteral(path);
                if (p.isRoot()) throw bad(where, "empty 'path'");
            } catch (MlvException e) {
                if (e.getMessage().startsWith("Malformed")) throw e;
                throw bad(where, e.getMessage());
            }
            outs.add(new Out(path, digest, o.get("size").asLong(), nfiles));
        }
        JsonNode deps = root.get("deps");
        JsonNode frozenNode = root.get("frozen");
        if (frozenNode != null && !frozenNode.isBoolean()) throw bad(where, "'frozen' must be true or false");
        boolean frozen = frozenNode != null && frozenNode.asBoolean();
        if (deps == null || deps.isNull()) {
            if (frozen) throw bad(where, "'frozen' applies to imported data only (with 'deps')");
            return new PointerFile(outs);
        }
        if (!deps.isArray() || deps.size() != 1 || !deps.get(0).isObject()) {
            throw bad(where, "'deps' must be one entry: 'path' with a 'repo' mapping (an import), or a URL with its version");
        }
        if (outs.size() != 1) throw bad(where, "imported data has one entry in 'outs'");
        JsonNode d = deps.get(0);
        try {
            if (d.has("repo")) {
                JsonNode repo = d.get("repo");
                if (!repo.isObject()) throw bad(where, "'repo' in 'deps' must be a mapping");
                return new PointerFile(outs, new Import(text(d, "path", where), text(repo, "url", where), optional(repo, "rev"),
                        text(repo, "rev_lock", where), optional(repo, "remote")), null, frozen);
            }
            Long size = null;
            if (d.has("size")) {
                if (!d.get("size").canConvertToLong() || d.get("size").asLong() < 0) throw bad(where, "invalid 'size' in 'deps'");
                size = d.get("size").asLong();
            }
            return new PointerFile(outs, null, new External(text(d, "path", where), optional(d, "etag"), optional(d, "modified"),
                    size, optional(d, "digest")), frozen);
        } catch (MlvException e) {
            if (e.getMessage().startsWith("Malformed")) throw e;
            throw bad(where, "in 'deps': " + e.getMessage());
        }
    }

    private static String optional(JsonNode o, String field) {
        JsonNode v = o.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
    }

    public byte[] toBytes() {
        ObjectNode root = YAML.createObjectNode();
        ArrayNode arr = root.putArray("outs");
        for (Out o : outs) {
            ObjectNode n = arr.addObject();
            n.put("path", o.path());
            n.put("hash", Digests.ALGORITHM);
            n.put("digest", o.digest());
            n.put("size", o.size());
            if (o.nfiles() != null) n.put("nfiles", o.nfiles());
        }
        if (frozen) root.put("frozen", true);
        if (source != null) {
            ObjectNode d = root.putArray("deps").addObject();
            d.put("path", source.path());
            ObjectNode repo = d.putObject("repo");
            repo.put("url", source.url());
            if (source.rev() != null) repo.put("rev", source.rev());
            repo.put("rev_lock", source.revLock());
            if (source.remote() != null) repo.put("remote", source.remote());
        }
        if (external != null) {
            ObjectNode d = root.putArray("deps").addObject();
            d.put("path", external.url());
            if (external.etag() != null) d.put("etag", external.etag());
            if (external.modified() != null) d.put("modified", external.modified());
            if (external.size() != null) d.put("size", external.size());
            if (external.digest() != null) d.put("digest", external.digest());
        }
        try {
            return YAML.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes atomically (temp file, fsync, rename). */
    public void write(Path file) {
        AtomicFiles.write(file, toBytes());
    }

    private static String text(JsonNode o, String field, String where) {
        JsonNode v = o.get(field);
        if (v == null || !v.isValueNode() || v.asText().isEmpty()) throw bad(where, "missing '" + field + "'");
        return v.asText();
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private static MlvException bad(String where, String why) {
        return MlvException.invalid("Malformed pointer file " + where + ": " + why.replaceAll("\\s*\\R\\s*", " "));
    }
}
