package dev.mlv.cli.tracking;

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
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv experiments list|create|rename|delete|restore}. */
@Command(name = "experiments", mixinStandardHelpOptions = true, description = "List, create, rename, delete and restore experiments.")
public final class ExperimentsCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            ExperimentsCommand.ListCmd.class,
            ExperimentsCommand.CreateCmd.class,
            ExperimentsCommand.RenameCmd.class,
            ExperimentsCommand.DeleteCmd.class,
            ExperimentsCommand.RestoreCmd.class,
    };

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {"List experiments.",
            "Examples:",
            "  mlv experiments list --filter \"name LIKE 'fraud%%'\" --order-by \"last_update_time DESC\"",
            "  mlv experiments list --view all --json"})
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--filter", paramLabel = "EXPR",
                description = "MLflow filter on name and tags, e.g. \"name LIKE 'fraud%%' AND tags.team = 'risk'\".")
        String filter;

        @Option(names = "--order-by", paramLabel = "KEY", description = "Sort key, repeatable, e.g. \"name ASC\", "
                + "\"creation_time DESC\" (default: last_update_time DESC).")
        List<String> orderBy = new ArrayList<>();

        @Option(names = "--max-results", paramLabel = "N", description = "At most N experiments (default: all).")
        Integer maxResults;

        @Option(names = "--view", paramLabel = "VIEW", defaultValue = "active",
                description = "Which experiments: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        ViewOption view;

        @Override
        public Integer call() {
            if (maxResults != null && maxResults < 1) throw MlvException.invalid("--max-results must be at least 1");
            ObjectNode body = RestClient.object();
            if (filter != null) body.put("filter", filter);
            orderBy.forEach(body.putArray("order_by")::add);
            body.put("view_type", view.wire());
            ArrayNode experiments = Pages.collectPost(client.rest(), "/api/2.0/mlflow/experiments/search", body,
                    "experiments", maxResults);
            if (client.printedAsJson("experiments", experiments)) return 0;
            Output out = client.output();
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode e : experiments) {
                List<String> row = new ArrayList<>(List.of(Output.text(e, "experiment_id"), Output.text(e, "name"),
                        Output.time(e.path("creation_time").asLong()), Output.text(e, "artifact_location")));
                if (view != ViewOption.ACTIVE) row.add(2, Output.text(e, "lifecycle_stage"));
                rows.add(row);
            }
            List<String> headers = new ArrayList<>(List.of("ID", "NAME", "CREATED", "ARTIFACT LOCATION"));
            if (view != ViewOption.ACTIVE) headers.add(2, "STAGE");
            out.table(headers, rows, "No experiments.");
            return 0;
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = {"Create an experiment and print its id.",
            "Example: mlv experiments create fraud-detection --tag team=risk"})
    static final class CreateCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "NAME", description = "Name of the new experiment (unique).")
        String name;

        @Option(names = "--artifact-location", paramLabel = "URI",
                description = "Where the experiment's artifacts go (default: the server's artifact store).")
        String artifactLocation;

        @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "Experiment tag, repeatable.")
        Map<String, String> tags = new LinkedHashMap<>();

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object().put("name", name);
            if (artifactLocation != null) body.put("artifact_location", artifactLocation);
            if (!tags.isEmpty()) {
                ArrayNode t = body.putArray("tags");
                tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
            }
            JsonNode r = client.rest().post("/api/2.0/mlflow/experiments/create", body);
            String id = r.path("experiment_id").asText();
            client.print(RestClient.object().put("experiment_id", id).put("name", name),
                    "Created experiment '" + name + "' with id " + id);
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = {"Rename an experiment.",
            "Example: mlv experiments rename 3 fraud-detection-v2"})
    static final class RenameCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "ID", description = "The experiment's id.")
        String id;

        @Parameters(index = "1", paramLabel = "NEW_NAME", description = "Its new name (unique).")
        String newName;

        @Override
        public Integer call() {
            return Lifecycle.call(client, "experiments/update", RestClient.object().put("experiment_id", id).put("new_name", newName),
                    "Renamed experiment " + id + " to '" + newName + "'");
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {
            "Mark an experiment and its runs deleted, as MLflow does; nothing is removed.",
            "They leave listings and searches: 'list --view deleted' shows them, 'mlv experiments restore ID' brings",
            "them back, 'mlv gc' removes them for good.",
            "Example: mlv experiments delete 3"})
    static final class DeleteCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The experiment's id.")
        String id;

        @Override
        public Integer call() {
            return Lifecycle.call(client, "experiments/delete", RestClient.object().put("experiment_id", id),
                    "Deleted experiment " + id + " (restore it with 'mlv experiments restore " + id + "')");
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = {
            "Bring back a deleted experiment and its runs.", "Example: mlv experiments restore 3"})
    static final class RestoreCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The experiment's id.")
        String id;

        @Override
        public Integer call() {
            return Lifecycle.call(client, "experiments/restore", RestClient.object().put("experiment_id", id),
                    "Restored experiment " + id);
        }
    }
}
