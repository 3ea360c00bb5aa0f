package dev.mlv.cli;

import dev.mlv.cli.models.UserOption;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.auth.UsersFile;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code mlv users}: the users a server with {@code --auth-file} lets in. */
@Command(name = "users", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = {"Manage the users of a server started with --auth-file (HTTP Basic authentication).",
                "Administrators may do everything; other users what 'mlv permissions' grants them."},
        subcommands = {UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.ListUsers.class,
                UsersCommand.SetAdmin.class})
public final class UsersCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The {@code --auth-file} option every users command takes, and the file it names. */
    static final class UsersFileOption {
        @Option(names = "--auth-file", paramLabel = "FILE",
                description = "The users file (env MLV_AUTH_FILE; default: <home>/users with home $MLV_HOME or ~/.mlv).")
        Path option;

        /** {@code --auth-file}, else {@code MLV_AUTH_FILE}, else {@code <home>/users}. */
        Path file() {
            String file = Env.orEnv(option == null ? null : option.toString(), "MLV_AUTH_FILE");
            return file != null ? Path.of(file) : ServerConfig.defaultHome().resolve("users");
        }
    }

    /** {@code mlv users remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a user and their permission grants: a running server refuses their credentials within a second.",
                    "The grants are removed from --backend-store-uri (or $MLV_BACKEND_STORE_URI); without either, from "
                            + "<home>/mlv.db when the users file is <home>/users, the layout of 'mlv server' with its defaults."})
    public static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user to remove.")
        String name;

        @Mixin
        UsersFileOption users;

        @Option(names = "--backend-store-uri", paramLabel = "URI",
                description = "The server's metadata database, from which the user's grants are removed "
                        + "(env MLV_BACKEND_STORE_URI; see above for the default).")
        String backendStoreUri;

        @Override
        public Integer call() {
            Path target = users.file();
            if (!Files.exists(target) || !UsersFile.read(target).contains(name)) throw MlvException.notFound("No user '" + name + "' in " + target);
            String db = database(target);
            String revoked = "";
            if (db != null) { // grants first: a user of that name added later must not inherit them
                try (MetadataStore store = MetadataStores.open(db, MlvServer.DEFAULT_ARTIFACT_ROOT)) {
                    PermissionStore grants = store.permissions();
                    String actor = UserOption.defaultUser();
                    List<Grant> of = grants.grantsOf(name);
                    for (Grant g : of) grants.delete(g.type(), g.resource(), g.user(), actor);
                    revoked = " and their " + of.size() + " permission grant" + (of.size() == 1 ? "" : "s") + " from "
                            + MetadataStores.masked(db);
                }
            }
            if (!UsersFile.remove(target, name)) throw MlvException.notFound("No user '" + name + "' in " + target);
            new Output(spec.commandLine().getOut()).println("Removed user " + name + " from " + target + revoked
                    + (db != null ? "" : " (their permission grants stay in the server's database: pass its "
                    + "--backend-store-uri to remove them too)"));
            return 0;
        }

        /** The database whose grants go with the user, or null when none is named or implied. */
        private String database(Path usersFile) {
            String uri = Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI");
            if (uri != null) return uri;
            Path home = ServerConfig.defaultHome();
            boolean defaultLayout = usersFile.toAbsolutePath().normalize().equals(home.resolve("users").toAbsolutePath().normalize());
            return defaultLayout && Files.isRegularFile(home.resolve("mlv.db"))
                    ? ServerConfig.forHome(home).effectiveBackendStoreUri() : null;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users of a users file.")
    public static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        UsersFileOption users;

        @Override
        public Integer call() {
            Output out = new Output(spec.commandLine().getOut());
            UsersFile file = UsersFile.read(users.file());
            for (String name : file.names()) out.println(name + (file.isAdmin(name) ? " (admin)" : ""));
            return 0;
        }
    }

    /** {@code mlv users set-admin NAME true|false}. */
    @Command(name = "set-admin", mixinStandardHelpOptions = true,
            description = "Make a user an administrator (true), who may do everything, or not (false).")
    public static final class SetAdmin implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "The user.")
        String name;

        @Parameters(index = "1", paramLabel = "true|false", arity = "1")
        boolean admin;

        @Mixin
        UsersFileOption users;

        @Override
        public Integer call() {
            UsersFile.setAdmin(users.file(), name, admin);
            new Output(spec.commandLine().getOut()).println(name + (admin ? " is now an administrator" : " is no longer an administrator"));
            return 0;
        }
    }

    /** {@code mlv users add NAME}: adds a user, or sets a new password for one. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user, or set a new password for an existing one. The file keeps a salted PBKDF2 hash,",
                    "never the password; a running server picks the change up within a second."})
    public static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "User name: letters, digits or . _ @ + - (at most 128).")
        String name;

        @Mixin
        UsersFileOption users;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input "
                + "(default: ask for it twice on the terminal).")
        boolean passwordStdin;

        @Option(names = "--admin", description = "Make the user an administrator, who may do everything "
                + "(default: an existing user stays what they were; a new one is not an administrator).")
        boolean admin;

        @Override
        public Integer call() {
            Path target = users.file();
            boolean created = UsersFile.put(target, name, password(), UsersFile.DEFAULT_ITERATIONS, admin ? true : null);
            new Output(spec.commandLine().getOut()).println((created ? "Added user " : "Changed the password of ") + name
                    + " in " + target + (created ? " (start the server with --auth-file " + target + ")" : ""));
            return 0;
        }

        private String password() {
            if (passwordStdin) return Stdin.firstLine("password");
            Console console = System.console();
            if (console == null) throw MlvException.invalid("No terminal to ask for the password: use --password-stdin");
            char[] first = console.readPassword("Password for %s: ", name);
            char[] again = console.readPassword("Repeat it: ");
            if (first == null || again == null || !Arrays.equals(first, again)) throw MlvException.invalid("The passwords differ");
            return new String(first);
        }
    }
}
