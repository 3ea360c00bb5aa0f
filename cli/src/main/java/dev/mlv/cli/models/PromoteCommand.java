package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code mlv models promote NAME VERSION --to STAGE}: evaluates the gates on the server and moves the version only when
 * all pass. Exit 0: promoted, or every gate passed and the move waits for approval by another user (four-eyes rule;
 * the output says so, and {@code --json} has {@code "pending_approval": true}); 3: a gate failed; 1: error; 2: usage.
 */
@Command(name = "promote", mixinStandardHelpOptions = true, description = {
        "Promote a version to a stage if every gate passes; prints each gate with ✓/✗ and why.",
        "Exit codes: 0 promoted (or waiting for approval by another user), 3 a gate failed, 1 error, 2 usage.",
        "Examples:",
        "  mlv models promote fraud 4 --to Production --require \"metrics.accuracy >= 0.9\" \\",
        "      --require-better-than-current accuracy --reason \"weekly retrain\""},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:promoted, or waiting for approval by another user", "1:error",
                "2:usage error", "3:a gate failed; nothing changed"})
final class PromoteCommand extends RegistryChange {
    @Parameters(index = "1", paramLabel = "VERSION", description = "Version to promote.")
    String version;

    @Option(names = "--to", paramLabel = "STAGE", required = true,
            description = "Target stage: Staging, Production, … (any case).")
    String stage;

    @Option(names = "--require", paramLabel = "EXPR",
            description = "Gate on the version's run metrics, repeatable, e.g. \"metrics.accuracy >= 0.9\".")
    List<String> requirements = new ArrayList<>();

    @Option(names = "--require-better-than-current", paramLabel = "METRIC",
            description = "The metric must beat the version now in the target stage, repeatable.")
    List<String> betterThanCurrent = new ArrayList<>();

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history and audit log.")
    String reason;

    @Option(names = "--archive-existing", description = "Archive the versions currently in the target stage.")
    boolean archiveExisting;

    @Override
    public Integer call() {
        ObjectNode body = RestClient.object().put("name", name).put("version", version).put("stage", stage);
        requirements.forEach(body.putArray("requirements")::add);
        betterThanCurrent.forEach(body.putArray("require_better_than_current")::add);
        if (reason != null) body.put("reason", reason);
        body.put("archive_existing_versions", archiveExisting);
        JsonNode r = user.rest(client).post(RegistryPaths.PROMOTE, body);
        boolean promoted = r.path("promoted").asBoolean(false);
        boolean pending = r.path("pending_approval").asBoolean(false);
        boolean gatesPassed = true;
        for (JsonNode c : r.path("checks")) gatesPassed &= c.path("passed").asBoolean(false);
        int exit = promoted || (pending && gatesPassed) ? 0 : ModelsCommand.GATE_FAILED;
        Output out = client.output();
        if (client.json()) {
            out.json(r);
            return exit;
        }
        out.println("Promote " + name + " version " + version + " to " + stage + ":");
        int failed = 0;
        JsonNode checks = r.path("checks");
        if (checks.isEmpty()) out.println("  (no gates)");
        for (JsonNode c : checks) {
            boolean ok = c.path("passed").asBoolean(false);
            if (!ok) failed++;
            String detail = Output.text(c, "detail");
            out.println("  " + (ok ? "✓ pass" : "✗ FAIL") + "  " + Output.text(c, "gate")
                    + (detail.isEmpty() ? "" : "  — " + detail));
        }
        if (promoted) {
            JsonNode v = r.path("model_version");
            out.println("Promoted: " + name + " version " + version + " is now in "
                    + v.path("current_stage").asText(stage) + ".");
        } else if (pending && gatesPassed) {
            out.println("All gates passed; waiting for approval by another user: "
                    + "mlv models approve " + name + " " + version + " --stage " + stage);
        } else {
            out.println("Not promoted: " + failed + " of " + checks.size() + " gate"
                    + (checks.size() == 1 ? "" : "s") + " failed; nothing changed.");
        }
        return exit;
    }
}
