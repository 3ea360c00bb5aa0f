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
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> sub : SUBCOMMANDS) cl.addSubcommand(sub);
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    /** Runs {@code mlv args} and returns the exit code (without exiting). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    public static void main(String[] args) {
        int code = run(args);
        // The server command blocks in call() until shutdown; every other command ends here.
        System.exit(code);
    }
}
