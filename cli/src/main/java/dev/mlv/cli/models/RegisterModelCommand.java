package dev.mlv.cli.models;

import dev.mlv.client.ModelRegistry;
import dev.mlv.client.http.RestClient;
import dev.mlv.registry.ModelVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code mlv models register NAME SOURCE_URI}: like {@code mlflow models register}: creates the registered model when
 * it does not exist yet, then a new version from the source.
 */
@Command(name = "register", mixinStandardHelpOptions = true, description = {
        "Register a new model version (creating the registered model if needed).",
        "SOURCE_URI is runs:/<run_id>/<path>, models:/..., or mlflow-artifacts:/... inside the server's store.",
        "Examples:",
        "  mlv models register fraud runs:/0a1b2c3d4e5f60718293a4b5c6d7e8f9/model",
        "  mlv models register fraud mlflow-artifacts:/1/0a1b.../artifacts/model --run-id 0a1b... --tag team=risk"})
final class RegisterModelCommand extends RegistryChange {
    @Parameters(index = "1", paramLabel = "SOURCE_URI", description = "Where the model files are.")
    String source;

    @Option(names = "--run-id", paramLabel = "ID",
            description = "The run that produced the model (default: taken from a runs:/ source).")
    String runId;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A version tag, repeatable.")
    Map<String, String> tags = new LinkedHashMap<>();

    @Option(names = "--description", paramLabel = "TEXT", description = "Description of the version.")
    String description;

    @Override
    public Integer call() {
        RestClient rest = user.rest(client);
        ModelVersion v = new ModelRegistry(rest).register(name, source, runId, description, tags);
        if (client.json()) {
            client.output().json(rest.get(RegistryPaths.VERSIONS_GET, Map.of("name", v.name(), "version", v.version()))
                    .path("model_version"));
        } else {
            client.output().println("Registered model '" + v.name() + "' version " + v.version()
                    + " (models:/" + v.name() + "/" + v.version() + ")");
        }
        return 0;
    }
}
