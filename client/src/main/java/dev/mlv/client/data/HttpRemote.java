package dev.mlv.client.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Digests;
import dev.mlv.data.ObjectBatch;
import dev.mlv.data.Remote;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * A data remote on an mlv server ({@code http(s)://host:port}): its {@code /api/2.0/mlv/data/} endpoints. The server
 * verifies every upload's digest before storing it; downloads are verified by the cache. Its URL comes from the
 * repository's config, so it gets the environment's tracking credentials only when it is the tracking server, else
 * its host's netrc entry ({@link RestClient#forConfiguredServer}).
 */
public final class HttpRemote implements Remote {
    public static final String BASE = "/api/2.0/mlv/data/";
    static final int BATCH = 5_000;
    static final int OBJECTS_PER_BATCH = 256;
    private final RestClient rest;
    private volatile boolean batches = true;

    public HttpRemote(String url) {
        this(RestClient.forConfiguredServer(url));
    }

    HttpRemote(RestClient rest) {
        this.rest = rest;
    }

    @Override
    public String url() {
        return rest.baseUrl();
    }

    /** Not available: the server's data store is shared by every repository that pushes to it. */
    @Override
    public List<Stored> list() {
        throw new MlvException(ErrorCode.NOT_IMPLEMENTED, "An mlv server (" + url() + ") keeps the data of every repository "
                + "that pushes to it, so one repository's pointers cannot tell what it may remove: gc --cloud works on local "
                + "and S3 remotes");
    }

    @Override
    public Set<String> missing(Collection<String> names) {
        List<String> all = new ArrayList<>(new LinkedHashSet<>(names));
        all.forEach(Digests::requireValid);
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            ObjectNode body = RestClient.object();
            ArrayNode arr = body.putArray("digests");
            all.subList(i, Math.min(all.size(), i + BATCH)).forEach(arr::add);
            JsonNode r = authenticated(() -> rest.post(BASE + "missing", body));
            for (JsonNode n : r.path("missing")) out.add(Digests.requireValid(n.asText()));
        }
        return out;
    }

    @Override
    public void upload(String name, Path file, long size) {
        authenticated(() -> {
            rest.putFile(BASE + "objects/" + Digests.requireValid(name), file);
            return null;
        });
    }

    /**
     * Up to this many small objects go in one {@code POST objects} or {@code POST fetch}, unless the server has no such
     * endpoints.
     */
    @Override
    public int batchSize() {
        return batches ? OBJECTS_PER_BATCH : 1;
    }

    /**
     * Sends the objects in one request ({@link ObjectBatch}); the server verifies and stores them, durable at once.
     * A server older than that endpoint (404) gets them one by one, now and for the rest of the push.
     */
    @Override
    public void uploadAll(List<Upload> objects) {
        if (batches) {
            try {
                authenticated(() -> rest.postStream(BASE + "objects", ObjectBatch.CONTENT_TYPE, () -> ObjectBatch.open(objects),
                        ObjectBatch.length(objects)));
                return;
            } catch (MlvException e) {
                if (e.code() != ErrorCode.ENDPOINT_NOT_FOUND) throw e;
                batches = false;
            }
        }
        Remote.super.uploadAll(objects);
    }

    /**
     * Asks for the objects in one request ({@code POST fetch}); the server answers those it holds, up to
     * {@link ObjectBatch#MAX_OBJECT_BYTES} each, in one {@link ObjectBatch} body. A server older than that endpoint
     * (404) gets the requests one by one, now and for the rest of the fetch.
     */
    @Override
    public void openAll(List<String> names, BiConsumer<String, InputStream> each) {
        InputStream batch = batches ? fetch(names) : null;
        if (batch == null) {
            Remote.super.openAll(names, each);
            return;
        }
        Set<String> asked = new java.util.HashSet<>(names);
        try (batch) {
            ObjectBatch.Reader reader = new ObjectBatch.Reader(batch);
            for (ObjectBatch.Received o; (o = reader.next()) != null; ) {
                if (!asked.remove(o.name())) throw MlvException.invalid("The server sent object " + o.name() + ", which was not asked for");
                each.accept(o.name(), new java.io.ByteArrayInputStream(o.bytes()));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Cannot fetch objects from " + url() + ": " + e.getMessage(), e);
        }
    }

    /** The answer of {@code POST fetch} for {@code names}; null from a server without that endpoint (from then on). */
    private InputStream fetch(List<String> names) {
        ObjectNode body = RestClient.object();
        ArrayNode arr = body.putArray("digests");
        names.forEach(n -> arr.add(Digests.requireValid(n)));
        try {
            return authenticated(() -> rest.openStream(BASE + "fetch", body));
        } catch (MlvException e) {
            if (e.code() != ErrorCode.ENDPOINT_NOT_FOUND) throw e;
            batches = false;
            return null;
        }
    }

    @Override
    public InputStream open(String name) {
        return authenticated(() -> rest.openStream(BASE + "objects/" + Digests.requireValid(name)));
    }

    /** Runs {@code call}; a 401 of a server that got no credentials says where they come from. */
    private <T> T authenticated(Supplier<T> call) {
        try {
            return call.get();
        } catch (MlvException e) {
            if (e.code() != ErrorCode.UNAUTHENTICATED || rest.sendsCredentials()) throw e;
            String host = URI.create(url()).getHost();
            throw new MlvException(ErrorCode.UNAUTHENTICATED, "The data remote " + url() + " requires credentials. mlv "
                    + "sends MLV_TRACKING_USERNAME and MLV_TRACKING_PASSWORD only to the tracking server (MLV_TRACKING_URI): "
                    + "set MLV_TRACKING_URI=" + url() + ", or put 'machine " + host + " login USER password PASSWORD' in ~/.netrc");
        }
    }
}
