package dev.mlv.client.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Digests;
import dev.mlv.data.Remote;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A data remote on an mlv server ({@code http(s)://host:port}): its {@code /api/2.0/mlv/data/} endpoints. The server
 * verifies every upload's digest before storing it; downloads are verified by the cache.
 */
public final class HttpRemote implements Remote {
    public static final String BASE = "/api/2.0/mlv/data/";
    static final int BATCH = 5_000;
    private final RestClient rest;

    public HttpRemote(String url) {
        this.rest = new RestClient(url);
    }

    @Override
    public String url() {
        return rest.baseUrl();
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
            JsonNode r = rest.post(BASE + "missing", body);
            for (JsonNode n : r.path("missing")) out.add(Digests.requireValid(n.asText()));
        }
        return out;
    }

    @Override
    public void upload(String name, Path file, long size) {
        rest.putFile(BASE + "objects/" + Digests.requireValid(name), file);
    }

    @Override
    public InputStream open(String name) {
        return rest.openStream(BASE + "objects/" + Digests.requireValid(name));
    }
}
