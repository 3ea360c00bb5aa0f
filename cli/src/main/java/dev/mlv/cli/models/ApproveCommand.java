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
import java.util.Map;

/** {@code mlv models approve NAME [VERSION]}: approve a promotion waiting for a second user, or list those waiting. */
@Command(name = "approve", mixinStandardHelpOptions = true, description = {
        "Approve a promotion that waits for a second user (four-eyes rule); without VERSION, list what waits.",
        "The approver must differ from the user who asked for the promotion.",
        "Examples:",
        "  mlv models approve fraud",
        "  mlv models approve fraud 4 --stage Production --user bob --reason \"reviewed metrics\""})
final class ApproveCommand extends RegistryChange {
    @Parameters(index = "1", paramLabel = "VERSION", arity = "0..1", description = "Version to approve.")
    String version;

    @Option(names = "--stage", paramLabel = "STAGE", defaultValue = "Production",
            description = "Stage the promotion targets (default: ${DEFAULT-VALUE}).")
    String stage;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history and audit log.")
    String reason;

    @Override
    public Integer call() {
        RestClient rest = user.rest(client);
        Output out = client.output();
        if (version == null) {
            JsonNode r = rest.get(RegistryPaths.PENDING, Map.of("name", name));
            if (client.json()) {
                out.json(r);
                return 0;
            }
            List<List<String>> rows = new ArrayList<>();
            JsonNode list = firstArray(r);
            for (JsonNode p : list) {
                String by = p.has("requested_by") ? Output.text(p, "requested_by") : Output.text(p, "user");
                long at = p.has("requested_at") ? p.path("requested_at").asLong() : p.path("timestamp").asLong();
                rows.add(List.of(Output.text(p, "version"), Output.text(p, "stage"), by, Output.time(at),
                        Output.text(p, "reason")));
            }
            out.table(List.of("VERSION", "STAGE", "REQUESTED BY", "REQUESTED", "REASON"), rows,
                    "No promotions of " + name + " wait for approval.");
            return 0;
        }
        ObjectNode body = RestClient.object().put("name", name).put("version", version).put("stage", stage);
        if (reason != null) body.put("reason", reason);
        JsonNode r = rest.post(RegistryPaths.APPROVE, body);
        client.print(r, "Approved: " + name + " version " + version + " is now in "
                + r.path("model_version").path("current_stage").asText(stage) + ".");
        return 0;
    }

    /** The list in the pending response, whatever its field is called ({@code pending}, {@code pending_transitions}…). */
    private static JsonNode firstArray(JsonNode r) {
        if (r.isArray()) return r;
        for (var it = r.elements(); it.hasNext(); ) {
            JsonNode n = it.next();
            if (n.isArray()) return n;
        }
        return RestClient.json().createArrayNode();
    }
}
