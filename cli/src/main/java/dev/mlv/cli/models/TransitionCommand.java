package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;

/** {@code mlv models transition NAME VERSION STAGE}: MLflow's transition-stage, without gates. */
@Command(name = "transition", mixinStandardHelpOptions = true, description = {
        "Move a version to a stage (None, Staging, Production, Archived), without gates.",
        "Use 'mlv models promote' to check gates first.",
        "Examples:",
        "  mlv models transition fraud 3 Staging",
        "  mlv models transition fraud 3 Production --archive-existing --reason \"hotfix\""})
final class TransitionCommand extends RegistryChange {
    @Parameters(index = "1", paramLabel = "VERSION", description = "Version number.")
    String version;

    @Parameters(index = "2", paramLabel = "STAGE", description = "None, Staging, Production or Archived (any case).")
    String stage;

    @Option(names = "--archive-existing", description = "Archive the versions currently in that stage.")
    boolean archiveExisting;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history.")
    String reason;

    @Override
    public Integer call() {
        RestClient rest = user.rest(client);
        String before = rest.get(RegistryPaths.VERSIONS_GET, Map.of("name", name, "version", version))
                .path("model_version").path("current_stage").asText("None");
        ObjectNode body = RestClient.object().put("name", name).put("version", version).put("stage", stage)
                .put("archive_existing_versions", archiveExisting);
        if (reason != null) body.put("comment", reason).put("reason", reason);
        JsonNode v = rest.post(RegistryPaths.TRANSITION, body).path("model_version");
        client.print(v, Output.text(v, "name") + " version " + Output.text(v, "version") + ": " + before + " → "
                + Output.text(v, "current_stage"));
        return 0;
    }
}
