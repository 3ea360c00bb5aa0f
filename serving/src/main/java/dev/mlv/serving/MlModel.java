package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.client.model.ModelPackage;
import dev.mlv.client.model.ModelSignature;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The parts of an MLflow {@code MLmodel} file that serving needs: the {@code onnx} flavor's data file, the signature,
 * and the identifiers. Works the same for a model logged by mlv and one logged by Python's {@code mlflow.onnx}.
 */
public record MlModel(Path dir, Path onnxFile, ModelSignature signature, String runId, String modelUuid, JsonNode raw) {

    public static MlModel read(Path dir) {
        Path file = dir.resolve(ModelPackage.MLMODEL);
        if (!Files.isRegularFile(file)) {
            throw new MlvException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No MLmodel file in " + dir);
        }
        JsonNode root;
        try {
            root = ModelPackage.yaml().readTree(file.toFile());
        } catch (IOException e) {
            throw MlvException.invalid("Malformed MLmodel file " + file + ": " + e.getMessage());
        }
        JsonNode onnx = root.path("flavors").path("onnx");
        if (onnx.isMissingNode() || !onnx.isObject()) {
            throw MlvException.invalid("Model in " + dir + " has no 'onnx' flavor (flavors: "
                    + root.path("flavors").properties().stream().map(java.util.Map.Entry::getKey).toList() + ")");
        }
        String data = onnx.path("data").asText("model.onnx");
        Path onnxFile = ArtifactPath.parse(data).resolveUnder(dir);
        if (!Files.isRegularFile(onnxFile)) {
            throw new MlvException(ErrorCode.RESOURCE_DOES_NOT_EXIST, "ONNX flavor data file '" + data + "' missing in " + dir);
        }
        return new MlModel(dir, onnxFile, ModelSignature.fromMlModel(root.get("signature")),
                text(root, "run_id"), text(root, "model_uuid"), root);
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}
