package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.client.ModelRegistry;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv models update|tag|rename|delete}: MLflow's registry calls for descriptions, tags, renames and deletes. */
final class ManageCommands {
    private ManageCommands() {
    }

    /** The registered model and, with {@code version}, one of its versions. */
    record Target(String name, String version) {
        ObjectNode body() {
            ObjectNode b = RestClient.object().put("name", name);
            if (version != null) b.put("version", version);
            return b;
        }

        /** {@code registered-models/<op>} or {@code model-versions/<op>}. */
        String path(String op) {
            return RegistryPaths.MLFLOW + (version == null ? "registered-models/" : "model-versions/") + op;
        }

        String shown() {
            return version == null ? name : name + " version " + version;
        }
    }

    /** {@code NAME [--model-version VERSION]}, the model or version a command changes. */
    abstract static class OnModel {
        @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
        String name;

        @Option(names = {"-v", "--model-version"}, paramLabel = "VERSION", description = "A version of the model (default: the model itself).")
        String version;

        Target target() {
            return new Target(name, version);
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = {"Set the description of a model or a version.",
            "Example:  mlv models update fraud --model-version 3 --description \"retrained on March data\""})
    static final class UpdateCmd extends OnModel implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        UserOption user;

        @Option(names = "--description", required = true, paramLabel = "TEXT", description = "The new description ('' clears it).")
        String description;

        @Override
        public Integer call() {
            ObjectNode body = target().body().put("description", description);
            user.rest(client).patch(target().path("update"), body);
            client.print(body, "Updated the description of " + target().shown());
            return 0;
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = {"Set or delete tags of a model or a version.",
            "Examples:",
            "  mlv models tag fraud team=risk owner=ann",
            "  mlv models tag fraud -v 3 validated=true",
            "  mlv models tag fraud --delete owner"})
    static final class TagCmd extends OnModel implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        UserOption user;

        @Parameters(index = "1..*", arity = "0..*", paramLabel = "KEY=VALUE", description = "Tags to set.")
        List<String> tags = new ArrayList<>();

        @Option(names = "--delete", paramLabel = "KEY", description = "A tag to delete, repeatable.")
        List<String> deleted = new ArrayList<>();

        @Override
        public Integer call() {
            if (tags.isEmpty() && deleted.isEmpty()) throw MlvException.invalid("Give tags as KEY=VALUE, or --delete KEY");
            List<String[]> set = new ArrayList<>();
            for (String t : tags) {
                int eq = t.indexOf('=');
                if (eq <= 0) throw MlvException.invalid("Invalid tag '" + t + "': expected KEY=VALUE");
                set.add(new String[]{t.substring(0, eq), t.substring(eq + 1)});
            }
            RestClient rest = user.rest(client);
            for (String[] kv : set) rest.post(target().path("set-tag"), target().body().put("key", kv[0]).put("value", kv[1]));
            for (String key : deleted) {
                ObjectNode body = target().body().put("key", key);
                RegistryPaths.delete(rest, target().path("delete-tag"), body);
            }
            client.print(RestClient.object().put("set", set.size()).put("deleted", deleted.size()),
                    "Set " + set.size() + " and deleted " + deleted.size() + " tag(s) of " + target().shown());
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = {"Rename a registered model; its versions, "
            + "aliases, history and permission grants follow it.", "Example:  mlv models rename fraud fraud-detector"})
    static final class RenameCmd extends RegistryChange {
        @Parameters(index = "1", paramLabel = "NEW_NAME", description = "Its new name.")
        String newName;

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object().put("name", name).put("new_name", newName);
            JsonNode r = user.rest(client).post(RegistryPaths.MLFLOW + "registered-models/rename", body);
            client.print(r, "Renamed " + name + " to " + newName);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a registered model with all its "
            + "versions, or one version (--model-version). Its audit events stay. Asks for --yes.",
            "Example:  mlv models delete fraud -v 2 --yes"})
    static final class DeleteCmd extends OnModel implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        UserOption user;

        @Option(names = "--yes", description = "Confirm the delete.")
        boolean yes;

        @Override
        public Integer call() {
            RestClient rest = user.rest(client);
            String what = target().shown();
            if (version == null) {
                JsonNode model = rest.get(RegistryPaths.MODELS_GET, Map.of("name", name)).path("registered_model");
                JsonNode versions = rest.get(RegistryPaths.VERSIONS_SEARCH, Map.of("filter", "name = "
                        + ModelRegistry.quote(name), "max_results", 1000)).path("model_versions");
                what = "registered model " + model.path("name").asText() + " and its " + versions.size()
                        + (versions.size() == 1000 ? "+" : "") + " version(s)";
            } else {
                JsonNode v = rest.get(RegistryPaths.VERSIONS_GET, Map.of("name", name, "version", version)).path("model_version");
                String stage = v.path("current_stage").asText("None");
                what = "version " + version + " of " + name + (stage.equals("None") ? "" : " (in " + stage + ")");
            }
            if (!yes) throw MlvException.invalid("Deleting " + what + " cannot be undone: pass --yes to confirm");
            ObjectNode body = target().body();
            RegistryPaths.delete(rest, target().path("delete"), body);
            client.print(body, "Deleted " + what);
            return 0;
        }
    }
}
