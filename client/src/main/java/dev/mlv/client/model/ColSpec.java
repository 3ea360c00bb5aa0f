package dev.mlv.client.model;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.MlvException;

import java.util.Set;

/**
 * A named column of a column-based signature. {@code type} is one of MLflow's {@code DataType} names: boolean,
 * integer, long, float, double, string, binary, datetime.
 */
public record ColSpec(String name, String type, boolean required) implements Spec {
    public static final Set<String> TYPES = Set.of("boolean", "integer", "long", "float", "double", "string", "binary", "datetime");

    public ColSpec {
        if (!TYPES.contains(type)) throw MlvException.invalid("Unknown column type '" + type + "', expected one of " + TYPES);
    }

    public static ColSpec of(String name, String type) {
        return new ColSpec(name, type, true);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", type);
        if (name != null) o.put("name", name);
        o.put("required", required);
        return o;
    }
}
