package dev.mlv.cli;

import dev.mlv.cli.tracking.ExperimentsCommand;
import dev.mlv.cli.tracking.RunsCommand;
import dev.mlv.cli.tracking.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code mlv} command. Every subcommand is listed in {@link #SUBCOMMANDS}, and a group's (e.g. {@code mlv data})
 * in the group's own {@code SUBCOMMANDS}: add yours there with a one-line edit.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 usage error (bad option or bad input); commands may return others
 * (e.g. 3 for a failed promotion gate) from their {@code call()}.
 */
@Command(name = "mlv", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Versions everything that makes a machine-learning model; speaks MLflow's REST API.",
        subcommandsRepeatable = false, synopsisSubcommandLabel = "COMMAND",
        footer = {"", "Clients talk to $MLV_TRACKING_URI (else $MLFLOW_TRACKING_URI, else",
                "http://127.0.0.1:5000). Run 'mlv COMMAND --help' for a command's options."})
public final class Main implements Runnable {

    /** The subcommands of {@code mlv}, in the order {@code --help} lists them. One line per command. */
    static final Class<?>[] SUBCOMMANDS = {
            ServerCommand.class,
            ExperimentsCommand.class,
            RunsCommand.class,
            dev.mlv.cli.tracking.ArtifactsCommand.class,
            dev.mlv.cli.models.ModelsCommand.class,
            dev.mlv.cli.audit.AuditCommand.class,
            dev.mlv.cli.webhooks.WebhooksCommand.class,
            dev.mlv.cli.data.DataCommand.class,
            dev.mlv.cli.quickstart.QuickstartCommand.class,
            DbCommand.class,
            GcCommand.class,
            UsersCommand.class,
            dev.mlv.cli.permissions.PermissionsCommand.class,
            DoctorCommand.class,
    };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A fully configured command line (every subcommand, error handling); tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        return configure(build(new Main(), SUBCOMMANDS, null));
    }

    /**
     * The command line for running {@code mlv args}: at each level only the subcommand that the next argument names is
     * built (picocli reads the annotations of, and instantiates, every subcommand it is given: ~0.1-0.2 s for the
     * {@code data} and {@code models} groups, and some commands load heavy libraries); where the argument names none
     * (no argument, an option, a typo) all of them, for help and errors.
     */
    public static CommandLine commandLine(String... args) {
        return configure(build(new Main(), SUBCOMMANDS, List.of(args)));
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /**
     * {@code command} with its subcommands {@code subs}, each with its own ({@link #subcommandsOf}): all of them when
     * {@code args} is null, else only the one {@code args[0]} names, built for the rest of {@code args}.
     */
    private static CommandLine build(Object command, Class<?>[] subs, List<String> args) {
        CommandLine cl = new CommandLine(command);
        Class<?> only = args == null || args.isEmpty() ? null : named(subs, args.get(0));
        for (Class<?> sub : subs) {
            if (only == null) cl.addSubcommand(build(sub, subcommandsOf(sub), null));
            else if (sub == only) cl.addSubcommand(build(sub, subcommandsOf(sub), args.subList(1, args.size())));
        }
        return cl;
    }

    /**
     * The subcommands of a command class, listed in its {@code SUBCOMMANDS} constant; group commands list them there
     * rather than in {@code @Command(subcommands = ...)}, which picocli would build eagerly.
     */
    static Class<?>[] subcommandsOf(Class<?> command) {
        try {
            Field f = command.getDeclaredField("SUBCOMMANDS");
            f.setAccessible(true);
            return (Class<?>[]) f.get(null);
        } catch (NoSuchFieldException e) {
            return new Class<?>[0];
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code mlv args} and returns the exit code (without exiting). */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** The top-level subcommand named {@code name} (or aliased so), read without instantiating it; else null. */
    static Class<?> subcommandNamed(String name) {
        return named(SUBCOMMANDS, name);
    }

    private static Class<?> named(Class<?>[] subs, String name) {
        for (Class<?> sub : subs) {
            Command c = sub.getAnnotation(Command.class);
            if (c == null) continue;
            if (c.name().equals(name) || Arrays.asList(c.aliases()).contains(name)) return sub;
        }
        return null;
    }

    public static void main(String[] args) {
        // picocli's default factory otherwise looks for Groovy on the class path: a miss that opens every jar on it
        System.setProperty("picocli.disable.closures", "true");
        // progress bars draw through JLine, which otherwise warns on stderr that its jansi terminal is deprecated
        if (System.getProperty("org.jline.terminal.disableDeprecatedProviderWarning") == null) {
            System.setProperty("org.jline.terminal.disableDeprecatedProviderWarning", "true");
        }
        warmUpInBackground(args.length > 0 ? args[0] : "");
        int code = run(args);
        // The server command blocks in call() until shutdown; every other command ends here.
        System.exit(code);
    }

    /**
     * Starts, on a second core, the one-time initialisation the command will need anyway (class loading, static set-up
     * of libraries) while picocli builds the command line on this thread. Only
     * an optimisation: the command does the same work itself when it gets there first, and a failure here is ignored.
     */
    static void warmUpInBackground(String command) {
        if (command.equals("server")) {
            dev.mlv.server.HttpWarmUp.start(); // logging and the HTTP stack, while the options parse and the database opens
            return;
        }
        Thread t = new Thread(() -> {
            try {
                new com.fasterxml.jackson.databind.ObjectMapper(); // its static set-up loads the JDK's locale data
                if (command.equals("data")) {
                    dev.mlv.data.DataConfig.defaults(); // the YAML reader for config and pointer files
                    dev.mlv.store.jdbc.SqliteNativeLibrary.useCachedCopy(); // the state DB's driver and logging
                    org.sqlite.SQLiteJDBCLoader.initialize();
                    org.slf4j.LoggerFactory.getILoggerFactory();
                }
            } catch (Exception | LinkageError ignored) {
                // the command itself will meet (and report) whatever failed here
            }
        }, "mlv-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
