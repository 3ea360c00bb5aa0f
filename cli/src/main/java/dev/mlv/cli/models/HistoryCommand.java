package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv models history NAME}: every stage and alias move, newest first. */
@Command(name = "history", mixinStandardHelpOptions = true, description = {
        "Show which version held each stage and alias when: every move with time, user, from → to and reason.",
        "Examples:",
        "  mlv models history fraud",
        "  mlv models history fraud --stage Production --json"})
final class HistoryCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
    String name;

    @ArgGroup(exclusive = true)
    Filter filter;

    static final class Filter {
        @Option(names = "--stage", paramLabel = "STAGE", description = "Only moves of this stage.")
        String stage;

        @Option(names = "--alias", paramLabel = "ALIAS", description = "Only moves of this alias.")
        String alias;
    }

    @Override
    public Integer call() {
        Map<String, Object> query = new LinkedHashMap<>();
        query.put("name", name);
        if (filter != null && filter.stage != null) query.put("stage", filter.stage);
        if (filter != null && filter.alias != null) query.put("alias", filter.alias);
        JsonNode r = client.rest().get(RegistryPaths.HISTORY, query);
        Output out = client.output();
        if (client.json()) {
            out.json(r);
            return 0;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode m : r.path("moves")) {
            rows.add(List.of(Output.time(m.path("timestamp").asLong()), Output.text(m, "user"), Output.text(m, "kind"),
                    Output.text(m, "key"), RegistryPaths.change(m), Output.text(m, "reason")));
        }
        out.table(List.of("TIME", "USER", "KIND", "KEY", "FROM → TO", "REASON"), rows, "No moves recorded for " + name + ".");
        return 0;
    }
}
