package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
final class RegisterModelCommand implements Callable<Integer> {
    private static final Pattern RUNS_URI = Pattern.compile("runs:/([^/]+)(?:/.*)?");

    @Mixin
    ClientOptions client;

    @Mixin
    UserOption user;

    @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
    String name;

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
        String run = runId;
        Matcher m = RUNS_URI.matcher(source);
        if (m.matches()) {
            if (run != null && !run.equals(m.group(1))) {
                throw MlvException.invalid("--run-id " + run + " differs from the run of " + source);
            }
            run = m.group(1);
        }
        RestClient rest = user.rest(client);
        try {
            rest.post(RegistryPaths.MODELS_CREATE, RestClient.object().put("name", name));
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
        }
        ObjectNode body = RestClient.object().put("name", name).put("source", source);
        if (run != null) body.put("run_id", run);
        if (description != null) body.put("description", description);
        if (!tags.isEmpty()) {
            ArrayNode t = body.putArray("tags");
            tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        }
        JsonNode v = rest.post(RegistryPaths.VERSIONS_CREATE, body).path("model_version");
        client.print(v, "Registered model '" + Output.text(v, "name") + "' version " + Output.text(v, "version")
                + " (models:/" + Output.text(v, "name") + "/" + Output.text(v, "version") + ")");
        return 0;
    }
}
