package dev.mlv.cli.permissions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv permissions grant|revoke|list}: who may do what with an experiment or a registered model. */
@Command(name = "permissions", mixinStandardHelpOptions = true,
        description = {"Grant users permissions on experiments and registered models (a server with --auth or --auth-file).",
                "  READ            read",
                "  EDIT            also log, change, register and promote",
                "  MANAGE          also delete, and grant permissions to others",
                "  NO_PERMISSIONS  nothing, not even a place in listings",
                "Without a grant, a user has the server's default (--default-permission, READ).",
                "Creators get MANAGE; administrators ('mlv users set-admin') may do everything."})
public final class PermissionsCommand implements Runnable {
    static final Class<?>[] SUBCOMMANDS = {GrantCmd.class, RevokeCmd.class, ListCmd.class};

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --experiment ID} or {@code --model NAME}: the resource a grant is on. */
    static final class Target {
        @Option(names = "--experiment", paramLabel = "ID", required = true, description = "An experiment, by id.")
        String experiment;

        @Option(names = "--model", paramLabel = "NAME", required = true, description = "A registered model, by name.")
        String model;

        String api() {
            return "/api/2.0/mlflow/" + (experiment != null ? "experiments" : "registered-models") + "/permissions/";
        }

        ObjectNode body(String user) {
            ObjectNode o = RestClient.object().put("username", user);
            return experiment != null ? o.put("experiment_id", experiment) : o.put("name", model);
        }

        String label() {
            return experiment != null ? "experiment " + experiment : "registered model " + model;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = {
            "Give USER a permission on an experiment or registered model (replacing the one they had).",
            "Needs MANAGE on it, or an administrator. Examples:",
            "  mlv permissions grant bob EDIT --experiment 3",
            "  mlv permissions grant carol READ --model fraud"})
    static final class GrantCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "USER", description = "A user of the server.")
        String user;

        @Parameters(index = "1", paramLabel = "PERMISSION", description = "READ, EDIT, MANAGE or NO_PERMISSIONS.")
        String permission;

        @ArgGroup(multiplicity = "1")
        Target target;

        @Override
        public Integer call() {
            ObjectNode body = target.body(user).put("permission", Permission.parse(permission).name());
            JsonNode reply;
            try {
                reply = client.rest().post(target.api() + "create", body);
            } catch (MlvException e) {
                if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
                reply = client.rest().patch(target.api() + "update", body);
            }
            client.print(reply, "Granted " + body.path("permission").asText() + " on " + target.label() + " to " + user);
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = {
            "Remove USER's grant on an experiment or registered model: they have the server's default again.",
            "Example: mlv permissions revoke bob --model fraud"})
    static final class RevokeCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "USER", description = "A user of the server.")
        String user;

        @ArgGroup(multiplicity = "1")
        Target target;

        @Override
        public Integer call() {
            JsonNode reply = client.rest().delete(target.api() + "delete", target.body(user));
            client.print(reply, "Revoked the grant of " + user + " on " + target.label());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {
            "Show a user's grants (your own, or anyone's for an administrator).",
            "Example: mlv permissions list bob"})
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "USER", description = "A user of the server.")
        String user;

        @Override
        public Integer call() {
            JsonNode reply = client.rest().get("/api/2.0/mlflow/users/get", Map.of("username", user));
            if (client.json()) {
                client.output().json(reply);
                return 0;
            }
            JsonNode u = reply.path("user");
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode g : u.path("experiment_permissions")) {
                rows.add(List.of("experiment", Output.text(g, "experiment_id"), Output.text(g, "permission")));
            }
            for (JsonNode g : u.path("registered_model_permissions")) {
                rows.add(List.of("registered model", Output.text(g, "name"), Output.text(g, "permission")));
            }
            Output out = client.output();
            if (u.path("is_admin").asBoolean()) out.println(user + " is an administrator: every permission, everywhere.");
            out.table(List.of("RESOURCE", "ID / NAME", "PERMISSION"), rows,
                    "No grants: " + user + " has the server's default permission everywhere.");
            return 0;
        }
    }
}
