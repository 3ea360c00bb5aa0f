package dev.mlv.cli.models;

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
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code mlv models list}: registered models with their latest version per stage and their aliases. */
@Command(name = "list", mixinStandardHelpOptions = true, description = {"List registered models.",
        "Examples:",
        "  mlv models list --filter \"name LIKE 'fraud%%'\"",
        "  mlv models list --json"})
final class ListModelsCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "MLflow filter on name and tags, e.g. \"name LIKE 'fraud%%' AND tags.team = 'risk'\".")
    String filter;

    @Option(names = "--max-results", paramLabel = "N", description = "At most N models (default: all).")
    Integer maxResults;

    @Override
    public Integer call() {
        if (maxResults != null && maxResults < 1) throw MlvException.invalid("--max-results must be at least 1");
        ObjectNode query = RestClient.object();
        if (filter != null) query.put("filter", filter);
        ArrayNode models = Pages.collectGet(client.rest(), RegistryPaths.MODELS_SEARCH, query,
                "registered_models", maxResults);
        if (client.printedAsJson("registered_models", models)) return 0;
        Output out = client.output();
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode m : models) {
            List<String> latest = new ArrayList<>();
            for (JsonNode v : m.path("latest_versions")) {
                latest.add(v.path("version").asText() + " (" + v.path("current_stage").asText("None") + ")");
            }
            List<String> aliases = new ArrayList<>();
            for (JsonNode a : m.path("aliases")) aliases.add(a.path("alias").asText() + "→" + a.path("version").asText());
            rows.add(List.of(Output.text(m, "name"), String.join(", ", latest), String.join(", ", aliases),
                    Output.time(m.path("last_updated_timestamp").asLong()), Output.text(m, "description")));
        }
        out.table(List.of("NAME", "LATEST VERSIONS", "ALIASES", "UPDATED", "DESCRIPTION"), rows, "No registered models.");
        return 0;
    }
}
