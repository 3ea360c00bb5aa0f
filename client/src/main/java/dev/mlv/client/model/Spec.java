package dev.mlv.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of an MLflow model signature: a named column ({@link ColSpec}) or a tensor ({@link TensorSpec}), written
 * exactly as MLflow's {@code mlflow.types.schema} serialises them to JSON.
 */
public sealed interface Spec permits ColSpec, TensorSpec {
    /** The name, or null for an unnamed spec. */
    String name();

    ObjectNode toJson();

    static Spec fromJson(JsonNode n) {
        String type = n.path("type").asText("");
        String name = n.hasNonNull("name") ? n.get("name").asText() : null;
        if (type.equals("tensor")) {
            JsonNode ts = n.path("tensor-spec");
            List<Long> shape = new ArrayList<>();
            for (JsonNode d : ts.path("shape")) shape.add(d.asLong());
            return new TensorSpec(name, ts.path("dtype").asText(), shape);
        }
        if (type.isEmpty()) throw MlvException.invalid("Signature entry without a type: " + n);
        return new ColSpec(name, type, !n.has("required") || n.get("required").asBoolean(true));
    }

    static List<Spec> listFromJson(JsonNode array) {
        List<Spec> out = new ArrayList<>();
        if (array != null && array.isArray()) for (JsonNode n : array) out.add(fromJson(n));
        return out;
    }

    static ArrayNode listToJson(List<? extends Spec> specs) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (Spec s : specs) a.add(s.toJson());
        return a;
    }
}
