package dev.mlv.client.model;

import dev.mlv.client.ActiveRun;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code run.logModel(path, model)}: writes the model directory to a temporary folder (with the client's captured
 * environment as {@code environment.json} unless the model brings its own), uploads it under the run's artifact
 * path, and records it in the run's {@code mlflow.log-model.history} as MLflow's {@code runs/log-model} does.
 */
public final class ModelLogger {
    private ModelLogger() {
    }

    public static LoggedModel log(ActiveRun run, String artifactPath, OnnxModel model) {
        if (artifactPath == null || artifactPath.isBlank()) throw MlvException.invalid("Model artifact path is empty");
        String path = dev.mlv.artifacts.ArtifactPath.parse(artifactPath).toString();
        if (model.environment() == null) model.environment(run.client().environment().toJson());
        Path tmp;
        try {
            tmp = Files.createTempDirectory("mlv-model-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Map<String, Object> ml = ModelPackage.write(model, tmp, run.runId(), path);
            run.logArtifacts(tmp, path);
            recordHistory(run, ml);
            return new LoggedModel(run.runId(), path, (String) ml.get("model_uuid"));
        } finally {
            deleteTree(tmp);
        }
    }

    /** MLflow's POST runs/log-model (the server appends it to the mlflow.log-model.history tag); best effort. */
    private static void recordHistory(ActiveRun run, Map<String, Object> ml) {
        try {
            var body = RestClient.object();
            body.put("run_id", run.runId());
            body.put("model_json", RestClient.json().writeValueAsString(ml));
            run.client().rest().post("/api/2.0/mlflow/runs/log-model", body);
        } catch (MlvException | IOException e) {
            // an older server without runs/log-model: the model files are logged all the same
        }
    }

    private static void deleteTree(Path p) {
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException ignored) {
            // temp folder: best effort
        }
    }
}
