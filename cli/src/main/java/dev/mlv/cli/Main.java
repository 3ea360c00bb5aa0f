package dev.mlv.cli;

import dev.mlv.cli.tracking.ExperimentsCommand;
import dev.mlv.cli.tracking.RunsCommand;
import dev.mlv.cli.tracking.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mlv} command. Every subcommand is listed in {@link #SUBCOMMANDS}: add yours there with a one-line edit.
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
            dev.mlv.cli.models.ModelsCommand.class,
            dev.mlv.cli.audit.AuditCommand.class,
            dev.mlv.cli.data.DataCommand.class,
            dev.mlv.cli.quickstart.QuickstartCommand.class,
            DbCommand.class,
    };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A fully configured command line (subcommands, error handling); tests call {@code execute} on it. */
    public static CommandLine commandLine() {
        return commandLine(null);
    }

    /**
     * The command line for running {@code mlv first ...}: when {@code first} names a subcommand, only that one is
     * built (picocli instantiates every subcommand it is given, and some load heavy libraries, which would slow down
     * e.g. {@code mlv server}'s start-up); otherwise (no argument, an option, a typo) all of them, for help and errors.
     */
    static CommandLine commandLine(String first) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> only = first == null ? null : subcommandNamed(first);
        for (Class<?> sub : SUBCOMMANDS) {
            if (only == null || sub == only) cl.addSubcommand(sub);
        }
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Runs {@code mlv args} and returns the exit code (without exiting). */
    public static int run(String... args) {
        return commandLine(args.length > 0 ? args[0] : null).execute(args);
    }

    /** The subcommand whose {@code @Command} name or alias is {@code name}, read without instantiating it; else null. */
    static Class<?> subcommandNamed(String name) {
        for (Class<?> sub : SUBCOMMANDS) {
            Command c = sub.getAnnotation(Command.class);
            if (c == null) continue;
            if (c.name().equals(name) || java.util.Arrays.asList(c.aliases()).contains(name)) return sub;
        }
        return null;
    }

    public static void main(String[] args) {
        // picocli's default factory otherwise looks for Groovy on the class path: a miss that opens every jar on it
        System.setProperty("picocli.disable.closures", "true");
        warmUpInBackground(args.length > 0 ? args[0] : "");
        int code = run(args);
        // The server command blocks in call() until shutdown; every other command ends here.
        System.exit(code);
    }

    /**
     * Starts, on a second core, the one-time initialisation the command will need anyway (class loading, static set-up
     * of libraries) while picocli builds the command line on this thread: about 0.1–0.3 s off a command's start. Only
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
            } catch (Throwable ignored) {
                // the command itself will meet (and report) whatever failed here
            }
        }, "mlv-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
