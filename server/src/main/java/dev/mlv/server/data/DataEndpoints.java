package dev.mlv.server.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.data.Digests;
import dev.mlv.data.Hashing;
import dev.mlv.data.ObjectBatch;
import dev.mlv.errors.MlvException;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.ServerContext;
import dev.mlv.server.artifacts.ArtifactEndpoints;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The mlv-server data remote, under {@code /api/2.0/mlv/data/}: content-addressed objects kept in the server's
 * artifact store under {@code data/sha256/ab/cdef…}.
 * <ul>
 *   <li>{@code POST missing} {@code {"digests":[…]}} → {@code {"missing":[…]}}: which objects the server lacks, for a
 *       whole batch (at most {@value #MAX_BATCH} names).</li>
 *   <li>{@code PUT objects/<name>}: the body is hashed as it is received (in memory up to 256 KiB, else streamed to a
 *       temp file); only bytes whose SHA-256 matches the name are stored (atomically, by the artifact store, over any
 *       copy already there); a mismatch is 400 and stores nothing.</li>
 *   <li>{@code POST objects}: many small objects in one body ({@link ObjectBatch}), each verified as {@code PUT}
 *       verifies one; they are stored together, with one durable write for the batch.</li>
 *   <li>{@code POST fetch} {@code {"digests":[…]}}: the small objects asked for that the server holds, in one
 *       {@link ObjectBatch} body.</li>
 *   <li>{@code GET objects/<name>}: the object's bytes, streamed.</li>
 * </ul>
 * Names are strictly 64 lower-case hex characters, optionally followed by {@code .dir}.
 */
public final class DataEndpoints implements Endpoints {
    public static final String BASE = MLV_API + "data/";
    public static final int MAX_BATCH = 10_000;
    /**
     * Objects up to this size are received in memory, at most one buffer per request thread; larger ones go through a
     * temp file.
     */
    static final int IN_MEMORY_BYTES = 256 * 1024;
    private static final ArtifactPath ROOT = ArtifactPath.parse("data");
    private final ServerContext ctx;

    public DataEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post(BASE + "missing", this::missing);
        routes.put(BASE + "objects/{name}", this::upload);
        routes.post(BASE + "objects", this::uploadBatch);
        routes.post(BASE + "fetch", this::fetchBatch);
        routes.get(BASE + "objects/{name}", this::download);
    }

    private ArtifactStore store() {
        return ctx.artifacts();
    }

    static ArtifactPath pathOf(String name) {
        return ROOT.resolve(ArtifactPath.parse(Digests.relativePath(Digests.requireValid(name))));
    }

    /** Each object's path in the store, to its name. */
    private static Map<ArtifactPath, String> byPath(Set<String> names) {
        Map<ArtifactPath, String> byPath = new LinkedHashMap<>();
        for (String name : names) byPath.put(pathOf(name), name);
        return byPath;
    }

    /** The valid object names of a {@code {"digests": [...]}} body (at most {@code max}); anything else is a 400. */
    private Set<String> digests(Context cx, int max) {
        JsonNode arr = MlflowRequest.of(cx, ctx.json()).fields().get("digests");
        if (arr == null || !arr.isArray()) throw MlvException.invalid("Expected {\"digests\": [...]}");
        if (arr.size() > max) throw MlvException.invalid("At most " + max + " digests per request, got " + arr.size());
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode n : arr) names.add(Digests.requireValid(n.asText()));
        return names;
    }

    private void missing(Context cx) throws IOException {
        Set<String> names = digests(cx, MAX_BATCH);
        Map<ArtifactPath, String> byPath = byPath(names);
        Set<String> present = new HashSet<>();
        for (ArtifactPath file : store().files(byPath.keySet())) present.add(byPath.get(file));
        ObjectNode out = ctx.json().createObjectNode();
        ArrayNode m = out.putArray("missing");
        for (String n : names) if (!present.contains(n)) m.add(n);
        cx.contentType("application/json").result(ctx.json().writeValueAsString(out));
    }

    private void upload(Context cx) throws IOException {
        String name = Digests.requireValid(cx.pathParam("name"));
        ArtifactPath path = pathOf(name);
        long length = cx.req().getContentLengthLong();
        if (length >= 0 && length <= IN_MEMORY_BYTES) { // most objects are small: no temp file for them
            byte[] body;
            try (InputStream in = cx.req().getInputStream()) {
                body = in.readNBytes((int) length);
            }
            if (body.length < length) {
                throw MlvException.invalid("Object " + name + ": the body ended after " + body.length + " of " + length + " bytes");
            }
            requireDigest(name, Digests.sha256(body));
            store().put(path, new java.io.ByteArrayInputStream(body), body.length);
        } else {
            Path tmp = Files.createTempFile("mlv-data-", ".upload");
            try {
                Hashing.Result r;
                try (InputStream in = cx.req().getInputStream();
                     FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    r = Hashing.copy(in, out);
                }
                requireDigest(name, r.digest());
                try (InputStream in = Files.newInputStream(tmp)) {
                    store().put(path, in, r.size());
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        cx.contentType("application/json").result("{}");
    }

    /**
     * Stores the small objects of one {@link ObjectBatch} body: each is verified as it is read, and they become
     * visible together, durable, once the whole body has been read. Any bad object refuses the request with 400 and
     * stores none of them (where the store writes a batch at once, as local files do; else those before it, each
     * verified).
     */
    private void uploadBatch(Context cx) throws IOException {
        String type = cx.contentType();
        if (type == null || !type.split(";")[0].trim().equalsIgnoreCase(ObjectBatch.CONTENT_TYPE)) {
            throw MlvException.invalid("Expected a body of type " + ObjectBatch.CONTENT_TYPE);
        }
        int stored = 0;
        try (InputStream in = cx.req().getInputStream(); ArtifactStore.Batch batch = store().batch()) {
            ObjectBatch.Reader reader = new ObjectBatch.Reader(in);
            for (ObjectBatch.Received o; (o = reader.next()) != null; stored++) {
                requireDigest(o.name(), Digests.sha256(o.bytes()));
                batch.add(pathOf(o.name()), o.bytes());
            }
            batch.commit();
        }
        cx.contentType("application/json").result("{\"stored\": " + stored + "}");
    }

    /**
     * Answers the objects asked for (at most {@value ObjectBatch#MAX_OBJECTS} names, all checked before anything is
     * read) in one {@link ObjectBatch} body, streamed: those the store holds and that fit a batch; the client opens
     * any other one by one.
     */
    private void fetchBatch(Context cx) throws IOException {
        Set<String> names = digests(cx, ObjectBatch.MAX_OBJECTS);
        HttpServletResponse res = cx.res();
        res.setStatus(200);
        res.setContentType(ObjectBatch.CONTENT_TYPE);
        Map<ArtifactPath, String> byPath = byPath(names);
        try (OutputStream out = new BufferedOutputStream(res.getOutputStream(), 1 << 16)) {
            store().readSmall(new ArrayList<>(byPath.keySet()), ObjectBatch.MAX_OBJECT_BYTES,
                    (path, bytes) -> ObjectBatch.write(out, byPath.get(path), bytes));
        }
    }

    private static void requireDigest(String name, String actual) {
        if (!actual.equals(Digests.hexPart(name))) {
            throw MlvException.invalid("Digest mismatch for object " + name + ": the uploaded bytes hash to " + actual);
        }
    }

    private void download(Context cx) throws IOException {
        String name = Digests.requireValid(cx.pathParam("name"));
        ArtifactPath path = pathOf(name);
        ArtifactStore.OpenFile file = ArtifactEndpoints.fileFor(cx, store(), path)
                .orElseThrow(() -> MlvException.notFound("Object " + name + " does not exist"));
        HttpServletResponse res = cx.res();
        try (InputStream in = file.in()) {
            res.setStatus(200);
            res.setContentType("application/octet-stream");
            ArtifactEndpoints.sendBody(cx, file);
        }
    }

}
