package dev.mlv.client.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MLflow's model signature: input and output schemas. In an {@code MLmodel} file each is a JSON <em>string</em>
 * holding a list of column or tensor specs, as {@code mlflow.models.ModelSignature.to_dict()} writes it.
 */
public record ModelSignature(List<Spec> inputs, List<Spec> outputs) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    /** True when every input is a named column (MLflow converts such inputs to a DataFrame). */
    public boolean isColumnBased() {
        return !inputs.isEmpty() && inputs.stream().allMatch(s -> s instanceof ColSpec);
    }

    public boolean isTensorBased() {
        return !inputs.isEmpty() && inputs.stream().allMatch(s -> s instanceof TensorSpec);
    }

    /** The {@code signature:} block of an MLmodel file. */
    public Map<String, Object> toMlModel() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inputs", Spec.listToJson(inputs).toString());
        m.put("outputs", outputs.isEmpty() ? null : Spec.listToJson(outputs).toString());
        m.put("params", null);
        return m;
    }

    /** Reads the {@code signature:} block of an MLmodel file (a JSON node of the YAML tree); null when absent. */
    public static ModelSignature fromMlModel(JsonNode sig) {
        if (sig == null || sig.isNull() || sig.isMissingNode()) return null;
        return new ModelSignature(parseList(sig.get("inputs")), parseList(sig.get("outputs")));
    }

    private static List<Spec> parseList(JsonNode field) {
        if (field == null || field.isNull()) return List.of();
        try {
            return Spec.listFromJson(field.isTextual() ? JSON.readTree(field.asText()) : field);
        } catch (IOException e) {
            throw MlvException.invalid("Malformed signature in MLmodel: " + e.getMessage());
        }
    }
}
