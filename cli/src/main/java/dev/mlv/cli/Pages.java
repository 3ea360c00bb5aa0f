package dev.mlv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Follows MLflow's {@code page_token}/{@code next_page_token} paging for list commands. */
public final class Pages {
    /** Page size asked of the server while collecting. */
    public static final int PAGE_SIZE = 1000;

    private Pages() {
    }

    /**
     * Calls {@code fetch} with a request body carrying {@code max_results} and {@code page_token} until the server
     * returns no {@code next_page_token} or {@code max} items (null: all) are collected; returns the items of
     * {@code field}.
     */
    public static ArrayNode collect(ObjectNode body, String field, Integer max, Function<ObjectNode, JsonNode> fetch) {
        ArrayNode all = RestClient.json().createArrayNode();
        String token = null;
        do {
            ObjectNode req = body.deepCopy();
            int want = max == null ? PAGE_SIZE : Math.min(PAGE_SIZE, max - all.size());
            req.put("max_results", want);
            if (token != null) req.put("page_token", token);
            JsonNode page = fetch.apply(req);
            for (JsonNode item : page.path(field)) {
                if (max != null && all.size() >= max) break;
                all.add(item);
            }
            token = page.path("next_page_token").asText("");
        } while (!token.isEmpty() && (max == null || all.size() < max));
        return all;
    }

    /** GETs {@code path} for each page, the fields of {@code query} ({@code max_results}, {@code page_token}, …) as query parameters. */
    public static ArrayNode collectGet(RestClient rest, String path, ObjectNode query, String field, Integer max) {
        return collect(query, field, max, q -> {
            Map<String, Object> params = new LinkedHashMap<>();
            q.fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
            return rest.get(path, params);
        });
    }

    /** POSTs to {@code path} for each page. */
    public static ArrayNode collectPost(RestClient rest, String path, ObjectNode body, String field, Integer max) {
        return collect(body, field, max, req -> rest.post(path, req));
    }
}
