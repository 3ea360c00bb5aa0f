package dev.mlv.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.MlvException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The content of a tracked directory: its files sorted by relative path, each with its digest and size. Serialised
 * as compact JSON {@code [{"relpath":…,"digest":…,"size":…},…]}; the SHA-256 of those bytes plus {@code .dir} names
 * the manifest object, so the same tree always gives the same name.
 */
public record Manifest(List<Entry> entries) {
    private static final JsonFactory JSON = new JsonFactory();

    public record Entry(String relpath, String digest, long size) {
    }

    public Manifest {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::relpath));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).relpath().equals(sorted.get(i - 1).relpath())) {
                throw MlvException.invalid("Duplicate path in manifest: " + sorted.get(i).relpath());
            }
        }
        entries = List.copyOf(sorted);
    }

    public long totalSize() {
        long s = 0;
        for (Entry e : entries) s += e.size();
        return s;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(entries.size() * 120 + 2);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Entry e : entries) {
                g.writeStartObject();
                g.writeStringField("relpath", e.relpath());
                g.writeStringField("digest", e.digest());
                g.writeNumberField("size", e.size());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** The object name: {@code <sha256 of the JSON>.dir}. */
    public String name() {
        return nameOf(toBytes());
    }

    public static String nameOf(byte[] json) {
        return Digests.sha256(json) + Digests.DIR_SUFFIX;
    }

    /** Parses a manifest, validating every path and digest; {@code where} names it in errors. */
    public static Manifest parse(byte[] bytes, String where) {
        List<Entry> entries = new ArrayList<>();
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_ARRAY) throw bad(where, "not a JSON array");
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String relpath = null, digest = null;
                long size = -1;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    switch (f) {
                        case "relpath" -> relpath = p.getValueAsString();
                        case "digest" -> digest = p.getValueAsString();
                        case "size" -> size = p.getValueAsLong(-1);
                        default -> p.skipChildren();
                    }
                }
                if (relpath == null || digest == null || size < 0) throw bad(where, "entry without relpath, digest or size");
                if (!Digests.isValid(digest) || Digests.isManifest(digest)) throw bad(where, "invalid digest '" + digest + "'");
                if (!ArtifactPath.parseLiteral(relpath).toString().equals(relpath)) throw bad(where, "non-canonical path '" + relpath + "'");
                entries.add(new Entry(relpath, digest, size));
            }
        } catch (IOException e) {
            throw bad(where, e.getMessage());
        }
        return new Manifest(entries);
    }

    private static MlvException bad(String where, String why) {
        return MlvException.invalid("Malformed manifest " + where + ": " + why);
    }
}
