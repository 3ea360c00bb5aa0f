package dev.mlv.cli;

import dev.mlv.cli.models.UserOption;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;
import dev.mlv.users.UserStore;
import dev.mlv.users.UsersFile;
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

/** {@code mlv users}: the users a server with {@code --auth} (database) or {@code --auth-file} (file) lets in. */
@Command(name = "users", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = {"Manage the users of a server that requires HTTP Basic authentication: in its database for "
                + "'mlv server --auth' (the default here), or in a users file with --auth-file.",
                "Administrators may do everything; other users what 'mlv permissions' grants them. A running server "
                        + "follows changes within a second."},
        subcommands = {UsersCommand.Add.class, UsersCommand.Remove.class, UsersCommand.ListUsers.class,
                UsersCommand.SetAdmin.class, UsersCommand.Import.class})
public final class UsersCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the users are: {@code --auth-file}, else the server's database ({@code --backend-store-uri}). */
    static final class Target {
        @Option(names = "--backend-store-uri", paramLabel = "URI",
                description = "The server's metadata database, which keeps its users ('mlv server --auth') and "
                        + "permission grants (env MLV_BACKEND_STORE_URI; default: sqlite:///<home>/mlv.db with home "
                        + "$MLV_HOME or ~/.mlv).")
        String backendStoreUri;

        @Option(names = "--auth-file", paramLabel = "FILE",
                description = "Users in this file instead, for 'mlv server --auth-file FILE' (env MLV_AUTH_FILE).")
        Path authFile;

        @Option(names = "--home", paramLabel = "DIR",
                description = "The home of a server started with --home, whose database is DIR/mlv.db (env MLV_HOME).")
        Path home;

        /** The database named by option or environment, or null. */
        String namedDatabase() {
            return Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI");
        }

        String database() {
            String uri = namedDatabase();
            return uri != null ? uri : ServerConfig.forHome(home()).effectiveBackendStoreUri();
        }

        Path home() {
            return home != null ? home.toAbsolutePath().normalize() : ServerConfig.defaultHome();
        }

        /** The users file, or null when the users are in the database. */
        Path file() {
            String file = Env.orEnv(authFile == null ? null : authFile.toString(), "MLV_AUTH_FILE");
            return file == null ? null : Path.of(file);
        }

        /** Opens the users (and the database, when they are there); close it when done. */
        Users open() {
            Path file = file();
            if (file != null) return new Users(new UsersFile(file), null, file.toString(), "--auth-file " + file);
            MetadataStore db = MetadataStores.open(database(), MlvServer.DEFAULT_ARTIFACT_ROOT);
            return new Users(db.users(), db, db.displayUri(), "--auth");
        }
    }

    /** Open users: the store, the database holding it (null for a file), where they are and the server flag using them. */
    record Users(UserStore store, MetadataStore database, String where, String serverFlag) implements AutoCloseable {
        @Override
        public void close() {
            if (database != null) database.close();
        }
    }

    /** {@code mlv users add NAME}: adds a user, or sets a new password for one. */
    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a user, or set a new password for an existing one. Only a salted PBKDF2 hash is kept, "
                    + "never the password."})
    public static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "User name: letters, digits or . _ @ + - (at most 128).")
        String name;

        @Mixin
        Target target;

        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input "
                + "(default: ask for it twice on the terminal).")
        boolean passwordStdin;

        @Option(names = "--admin", description = "Make the user an administrator, who may do everything "
                + "(default: an existing user stays what they were; a new one is not an administrator).")
        boolean admin;

        @Override
        public Integer call() {
            User.checkName(name);
            String hash = PasswordHash.of(password(), PasswordHash.DEFAULT_ITERATIONS);
            String actor = UserOption.defaultUser();
            try (Users users = target.open()) {
                boolean created = users.store().get(name).isEmpty();
                if (created) {
                    users.store().create(new User(name, hash, admin), actor);
                } else {
                    users.store().setPassword(name, hash, actor);
                    if (admin) users.store().setAdmin(name, true, actor);
                }
                new Output(spec.commandLine().getOut()).println((created ? "Added user " : "Changed the password of ") + name
                        + " in " + users.where() + (created ? " (start the server with " + users.serverFlag() + ")" : ""));
            }
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

    /** {@code mlv users remove NAME}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = {"Remove a user and their permission grants.",
                    "With --auth-file, the grants are removed from --backend-store-uri (or $MLV_BACKEND_STORE_URI); "
                            + "without either, from <home>/mlv.db when the users file is <home>/users."})
    public static final class Remove implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The user to remove.")
        String name;

        @Mixin
        Target target;

        @Override
        public Integer call() {
            Path file = target.file();
            String actor = UserOption.defaultUser();
            String said;
            if (file == null) {
                try (Users users = target.open()) { // the user and their grants go in one transaction
                    int grants = users.database().permissions().grantsOf(User.checkName(name)).size();
                    if (!users.store().delete(name, actor)) throw MlvException.notFound("No user '" + name + "' in " + users.where());
                    said = "Removed user " + name + " and their " + grants(grants) + " from " + users.where();
                }
            } else {
                UsersFile users = new UsersFile(file);
                if (users.get(name).isEmpty()) throw MlvException.notFound("No user '" + name + "' in " + file);
                String db = grantsDatabase(file);
                String revoked = "";
                if (db != null) { // grants first: a user of that name added later must not inherit them
                    try (MetadataStore store = MetadataStores.open(db, MlvServer.DEFAULT_ARTIFACT_ROOT)) {
                        PermissionStore grants = store.permissions();
                        List<Grant> of = grants.grantsOf(name);
                        for (Grant g : of) grants.delete(g.type(), g.resource(), g.user(), actor);
                        revoked = " and their " + grants(of.size()) + " from " + store.displayUri();
                    }
                }
                if (!users.delete(name, actor)) throw MlvException.notFound("No user '" + name + "' in " + file);
                said = "Removed user " + name + " from " + file + revoked + (db != null ? "" : " (their permission grants "
                        + "stay in the server's database: pass its --backend-store-uri to remove them too)");
            }
            new Output(spec.commandLine().getOut()).println(said);
            return 0;
        }

        private static String grants(int n) {
            return n + " permission grant" + (n == 1 ? "" : "s");
        }

        /** The database whose grants go with a users file's user, or null when none is named or implied. */
        private String grantsDatabase(Path usersFile) {
            String uri = target.namedDatabase();
            if (uri != null) return uri;
            Path home = target.home();
            boolean defaultLayout = usersFile.toAbsolutePath().normalize().equals(home.resolve("users").toAbsolutePath().normalize());
            return defaultLayout && Files.isRegularFile(home.resolve("mlv.db")) ? target.database() : null;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the users, by name; administrators are marked.")
    public static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Override
        public Integer call() {
            Output out = new Output(spec.commandLine().getOut());
            try (Users users = target.open()) {
                for (User u : users.store().list()) out.println(u.name() + (u.admin() ? " (admin)" : ""));
            }
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
        Target target;

        @Override
        public Integer call() {
            try (Users users = target.open()) {
                if (users.store().get(name).isEmpty()) throw MlvException.notFound("No user '" + name + "' in " + users.where());
                users.store().setAdmin(name, admin, UserOption.defaultUser());
            }
            new Output(spec.commandLine().getOut()).println(name + (admin ? " is now an administrator" : " is no longer an administrator"));
            return 0;
        }
    }

    /** {@code mlv users import FILE}: a users file's users into the database. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Copy the users of a users file (password hashes and administrator flags) into the server's "
                    + "database, to move from 'mlv server --auth-file FILE' to '--auth'. Users already in the database "
                    + "are kept as they are."})
    public static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The users file to read.")
        Path file;

        @Option(names = "--backend-store-uri", paramLabel = "URI",
                description = "The server's metadata database (env MLV_BACKEND_STORE_URI; default: sqlite:///<home>/mlv.db).")
        String backendStoreUri;

        @Override
        public Integer call() {
            if (!Files.isRegularFile(file)) throw MlvException.notFound("No users file " + file);
            List<User> from = new UsersFile(file).list();
            Target target = new Target();
            target.backendStoreUri = backendStoreUri;
            Output out = new Output(spec.commandLine().getOut());
            int added = 0;
            try (MetadataStore db = MetadataStores.open(target.database(), MlvServer.DEFAULT_ARTIFACT_ROOT)) {
                for (User u : from) {
                    if (db.users().get(u.name()).isPresent()) {
                        out.println("Kept " + u.name() + ": already a user");
                        continue;
                    }
                    db.users().create(u, UserOption.defaultUser());
                    added++;
                }
                out.println("Imported " + added + " of " + from.size() + " user" + (from.size() == 1 ? "" : "s") + " from "
                        + file + " into " + db.displayUri() + " (start the server with --auth)");
            }
            return 0;
        }
    }
}
