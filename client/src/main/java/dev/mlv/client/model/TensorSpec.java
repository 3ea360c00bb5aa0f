package dev.mlv.client.model;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A tensor of a tensor-based signature: numpy dtype name (e.g. {@code float32}) and shape, -1 for a free dimension. */
public record TensorSpec(String name, String dtype, List<Long> shape) implements Spec {
    public TensorSpec {
        shape = List.copyOf(shape);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("type", "tensor");
        ObjectNode ts = o.putObject("tensor-spec");
        ts.put("dtype", dtype);
        var a = ts.putArray("shape");
        for (Long d : shape) a.add(d);
        if (name != null) o.put("name", name);
        return o;
    }
}
