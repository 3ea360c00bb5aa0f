package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;

import java.util.ArrayList;
import java.util.List;

/** The REST paths the registry commands call, and small helpers shared by them. */
final class RegistryPaths {
    static final String MLFLOW = "/api/2.0/mlflow/";
    static final String MLV = "/api/2.0/mlv/";

    static final String MODELS_SEARCH = MLFLOW + "registered-models/search";
    static final String MODELS_GET = MLFLOW + "registered-models/get";
    static final String ALIAS = MLFLOW + "registered-models/alias";
    static final String VERSIONS_GET = MLFLOW + "model-versions/get";
    static final String VERSIONS_SEARCH = MLFLOW + "model-versions/search";
    static final String TRANSITION = MLFLOW + "model-versions/transition-stage";

    static final String HISTORY = MLV + "registered-models/history";
    static final String ROLLBACK = MLV + "registered-models/rollback";
    static final String PROMOTE = MLV + "model-versions/promote";
    static final String APPROVE = MLV + "model-versions/approve";
    static final String PENDING = MLV + "model-versions/pending";
    static final String METADATA = MLV + "models/metadata";
    static final String LINEAGE = MLV + "models/lineage";
    static final String AUDIT_EVENTS = MLV + "audit/events";
    static final String AUDIT_VERIFY = MLV + "audit/verify";

    private RegistryPaths() {
    }

    /**
     * {@code DELETE path} with {@code body}'s fields both as a JSON body and as a query string: MLflow clients send
     * DELETE parameters either way, so servers read both.
     */
    static JsonNode delete(RestClient rest, String path, ObjectNode body) {
        List<String> q = new ArrayList<>();
        body.fields().forEachRemaining(e -> q.add(e.getKey() + "=" + RestClient.enc(e.getValue().asText())));
        return rest.delete(path + "?" + String.join("&", q), body);
    }

    /** {@code "champion, prod"} from a version's {@code aliases} array. */
    static String aliases(JsonNode version) {
        List<String> a = new ArrayList<>();
        for (JsonNode n : version.path("aliases")) a.add(n.asText());
        return String.join(", ", a);
    }

    /** A version or {@code -} for none (history and rollback print {@code 3 → 4}, {@code - → 1}). */
    static String orDash(JsonNode node, String field) {
        String s = Output.text(node, field);
        return s.isEmpty() ? "-" : s;
    }

    /** {@code 3 → 4} for a move. */
    static String change(JsonNode move) {
        return orDash(move, "from_version") + " → " + orDash(move, "to_version");
    }
}
