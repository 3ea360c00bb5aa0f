package dev.mlv.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.mlv.artifacts.ArtifactPath;
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
 * </pre>
 *
 * {@link #read} rejects anything malformed with one clear {@code INVALID_PARAMETER_VALUE}; {@link #write} replaces the
 * file atomically.
 */
public record PointerFile(List<Out> outs) {
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

    public PointerFile {
        outs = List.copyOf(outs);
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
        return new PointerFile(outs);
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
