package dev.mlv.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.cli.Pages;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv audit log|verify}: the tamper-evident log of every registry change. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "List the registry's audit events and verify their hash chain.")
public final class AuditCommand implements Runnable {
    static final int MAX_DETAILS = 100;
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            AuditCommand.LogCmd.class,
            AuditCommand.VerifyCmd.class,
    };

    static final String EVENTS = "/api/2.0/mlv/audit/events";
    static final String VERIFY = "/api/2.0/mlv/audit/verify";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "log", mixinStandardHelpOptions = true, description = {
            "List audit events, oldest first: who changed what, when, with each event's hash.",
            "Examples:",
            "  mlv audit log --model fraud",
            "  mlv audit log --max-results 50 --json"})
    static final class LogCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--model", paramLabel = "NAME", description = "Only events of this registered model.")
        String model;

        @Option(names = "--max-results", paramLabel = "N", description = "At most N events (default: all).")
        Integer maxResults;

        @Override
        public Integer call() {
            if (maxResults != null && maxResults < 1) throw MlvException.invalid("--max-results must be at least 1");
            ObjectNode query = RestClient.object();
            if (model != null) query.put("model", model);
            ArrayNode events = Pages.collectGet(client.rest(), EVENTS, query, "events", maxResults);
            if (client.printedAsJson("events", events)) return 0;
            Output out = client.output();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : events) {
                String hash = Output.text(e, "hash");
                rows.add(List.of(Output.text(e, "seq"), Output.time(e.path("timestamp").asLong()), Output.text(e, "user"),
                        Output.text(e, "action"), Output.text(e, "model"), Output.text(e, "version"),
                        hash.length() > 12 ? hash.substring(0, 12) : hash, details(e.path("payload"))));
            }
            out.table(List.of("SEQ", "TIME", "USER", "ACTION", "MODEL", "VERSION", "HASH", "DETAILS"), rows,
                    "No audit events.");
            return 0;
        }
    }

    /**
     * An event's payload on one line: {@code key=value, …}, plain values first, then non-empty lists and maps as JSON,
     * cut at {@value #MAX_DETAILS} characters ({@code --json} has it all).
     */
    static String details(JsonNode payload) {
        if (!payload.isObject()) return payload.isMissingNode() || payload.isNull() ? "" : payload.asText();
        List<String> plain = new ArrayList<>();
        List<String> nested = new ArrayList<>();
        payload.fields().forEachRemaining(f -> {
            JsonNode v = f.getValue();
            if (v.isNull() || (v.isContainerNode() && v.isEmpty())) return;
            (v.isValueNode() ? plain : nested).add(f.getKey() + "=" + (v.isValueNode() ? v.asText() : v.toString()));
        });
        plain.addAll(nested);
        String line = String.join(", ", plain);
        return line.length() <= MAX_DETAILS ? line : line.substring(0, MAX_DETAILS - 1) + "…";
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {
            "Re-compute the audit hash chain; exit 0 when intact, 1 naming the first altered or missing event."},
            exitCodeListHeading = "Exit codes:%n",
            exitCodeList = {"0:the chain is intact", "1:an event was altered or removed (or an error)"})
    static final class VerifyCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            JsonNode r = client.rest().get(VERIFY, Map.of());
            boolean valid = r.path("valid").asBoolean(false);
            Output out = client.output();
            if (client.json()) {
                out.json(r);
            } else if (valid) {
                out.println("Audit chain intact: " + r.path("events_checked").asLong() + " events checked.");
            } else {
                String problem = Output.text(r, "problem");
                out.println("Audit chain BROKEN at event " + Output.text(r, "first_invalid_seq")
                        + (problem.isEmpty() ? "" : ": " + problem)
                        + " (" + r.path("events_checked").asLong() + " events checked)");
            }
            return valid ? 0 : 1;
        }
    }
}
