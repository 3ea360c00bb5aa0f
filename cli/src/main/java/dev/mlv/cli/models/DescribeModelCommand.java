package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.cli.Pages;
import dev.mlv.client.ModelRegistry;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code mlv models describe NAME [VERSION]}. */
@Command(name = "describe", mixinStandardHelpOptions = true, description = {
        "Show a registered model and its versions, or one version.",
        "Examples:",
        "  mlv models describe fraud",
        "  mlv models describe fraud 3 --json"})
final class DescribeModelCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
    String name;

    @Parameters(index = "1", paramLabel = "VERSION", arity = "0..1", description = "A version number (optional).")
    String version;

    @Override
    public Integer call() {
        RestClient rest = client.rest();
        Output out = client.output();
        if (version != null) {
            JsonNode v = rest.get(RegistryPaths.VERSIONS_GET, Map.of("name", name, "version", version))
                    .path("model_version");
            if (client.json()) {
                out.json(v);
                return 0;
            }
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("Model", Output.text(v, "name"));
            head.put("Version", Output.text(v, "version"));
            head.put("Stage", Output.text(v, "current_stage"));
            head.put("Aliases", RegistryPaths.aliases(v));
            head.put("Status", Output.text(v, "status"));
            head.put("Source", Output.text(v, "source"));
            head.put("Run ID", Output.text(v, "run_id"));
            head.put("Registered by", Output.text(v, "user_id"));
            head.put("Created", Output.time(v.path("creation_timestamp").asLong()));
            head.put("Updated", Output.time(v.path("last_updated_timestamp").asLong()));
            head.put("Description", Output.text(v, "description"));
            out.keyValues(head);
            out.println("");
            out.section("Tags", new TreeMap<>(Output.keyValueList(v.path("tags"))));
            return 0;
        }
        JsonNode model = rest.get(RegistryPaths.MODELS_GET, Map.of("name", name)).path("registered_model");
        ObjectNode query = RestClient.object().put("filter", "name = " + ModelRegistry.quote(name));
        ArrayNode versions = Pages.collectGet(rest, RegistryPaths.VERSIONS_SEARCH, query, "model_versions", null);
        List<JsonNode> sorted = new ArrayList<>();
        versions.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong((JsonNode v) -> v.path("version").asLong()).reversed());
        if (client.json()) {
            ObjectNode result = RestClient.object();
            result.set("registered_model", model);
            ArrayNode list = result.putArray("model_versions");
            sorted.forEach(list::add);
            out.json(result);
            return 0;
        }
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("Model", Output.text(model, "name"));
        head.put("Created", Output.time(model.path("creation_timestamp").asLong()));
        head.put("Updated", Output.time(model.path("last_updated_timestamp").asLong()));
        head.put("Description", Output.text(model, "description"));
        out.keyValues(head);
        out.println("");
        out.section("Tags", new TreeMap<>(Output.keyValueList(model.path("tags"))));
        out.println("");
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode v : sorted) {
            rows.add(List.of(Output.text(v, "version"), Output.text(v, "current_stage"), RegistryPaths.aliases(v),
                    Output.text(v, "run_id"), Output.text(v, "user_id"),
                    Output.time(v.path("creation_timestamp").asLong()), Output.text(v, "source")));
        }
        out.table(List.of("VERSION", "STAGE", "ALIASES", "RUN ID", "REGISTERED BY", "CREATED", "SOURCE"), rows,
                "No versions.");
        return 0;
    }
}
