package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;


/** {@code mlv models rollback NAME (--stage S | --alias A)}. */
@Command(name = "rollback", mixinStandardHelpOptions = true, description = {
        "Move a stage or an alias back to the version that held it before its last move.",
        "One transaction, recorded in the history like any other move; rolling back twice returns to where you started.",
        "Examples:",
        "  mlv models rollback fraud --stage Production --reason \"latency regression\"",
        "  mlv models rollback fraud --alias champion"})
final class RollbackCommand extends RegistryChange {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--stage", paramLabel = "STAGE", required = true, description = "Stage to roll back, e.g. Production.")
        String stage;

        @Option(names = "--alias", paramLabel = "ALIAS", required = true, description = "Alias to roll back, e.g. champion.")
        String alias;
    }

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history and audit log.")
    String reason;

    @Override
    public Integer call() {
        ObjectNode body = RestClient.object().put("name", name);
        if (target.stage != null) body.put("stage", target.stage);
        else body.put("alias", target.alias);
        if (reason != null) body.put("reason", reason);
        JsonNode r = user.rest(client).post(RegistryPaths.ROLLBACK, body);
        Output out = client.output();
        if (client.json()) {
            out.json(r);
            return 0;
        }
        JsonNode move = r.path("move");
        String what = target.stage != null ? move.path("key").asText(target.stage) : "@" + target.alias;
        out.println("Rolled back " + name + " " + what + ": version " + RegistryPaths.change(move)
                + " (by " + Output.text(move, "user") + ")");
        return 0;
    }
}
