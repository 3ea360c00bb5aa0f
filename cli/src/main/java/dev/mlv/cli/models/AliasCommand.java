package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;


/** {@code mlv models alias set|delete}. */
@Command(name = "alias", mixinStandardHelpOptions = true, description = "Point an alias at a version, or remove it.")
final class AliasCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            AliasCommand.SetCmd.class,
            AliasCommand.DeleteCmd.class,
    };

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = {
            "Create or move an alias (^[\\w\\-]*$, at most 255 characters; 'latest' and v<digits> are reserved).",
            "Example:  mlv models alias set fraud champion 3"})
    static final class SetCmd extends RegistryChange {
        @Parameters(index = "1", paramLabel = "ALIAS", description = "Alias, e.g. champion.")
        String alias;

        @Parameters(index = "2", paramLabel = "VERSION", description = "Version the alias points at.")
        String version;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history.")
        String reason;

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object().put("name", name).put("alias", alias).put("version", version);
            if (reason != null) body.put("reason", reason);
            user.rest(client).post(RegistryPaths.ALIAS, body);
            client.print(body, "models:/" + name + "@" + alias + " → version " + version);
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Remove an alias.",
            "Example:  mlv models alias delete fraud challenger"})
    static final class DeleteCmd extends RegistryChange {
        @Parameters(index = "1", paramLabel = "ALIAS", description = "Alias to remove.")
        String alias;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why; recorded in the history.")
        String reason;

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object().put("name", name).put("alias", alias);
            if (reason != null) body.put("reason", reason);
            RegistryPaths.delete(user.rest(client), RegistryPaths.ALIAS, body);
            client.print(body, "Deleted alias '" + alias + "' of " + name);
            return 0;
        }
    }
}
