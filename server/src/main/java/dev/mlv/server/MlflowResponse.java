package dev.mlv.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.util.Collection;
import java.util.function.Function;

/**
 * Writes responses the way MLflow's server does: proto-JSON with the proto field names, int64 values as JSON
 * numbers, unset fields and empty repeated fields left out, and {@code {}} for calls that return nothing.
 */
public final class MlflowResponse {
    private MlflowResponse() {
    }

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Sends {@code body} as {@code application/json} with status 200. */
    public static void send(Context cx, ObjectMapper json, JsonNode body) {
        try {
            cx.contentType("application/json").result(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code {}}, MLflow's answer to calls whose response message has no fields. */
    public static void empty(Context cx) {
        cx.contentType("application/json").result("{}");
    }

    /** Puts a string field unless it is null. */
    public static void put(ObjectNode node, String field, String value) {
        if (value != null) node.put(field, value);
    }

    /** Puts an int64 field unless it is null. */
    public static void put(ObjectNode node, String field, Long value) {
        if (value != null) node.put(field, value);
    }

    /** Puts a repeated field unless the collection is empty, as protobuf's JSON printer does. */
    public static <T> void putAll(ObjectNode node, String field, Collection<T> items, Function<T, JsonNode> each) {
        if (items == null || items.isEmpty()) return;
        ArrayNode arr = node.putArray(field);
        for (T item : items) arr.add(each.apply(item));
    }
}
