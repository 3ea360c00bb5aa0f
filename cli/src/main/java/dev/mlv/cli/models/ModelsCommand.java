package dev.mlv.cli.models;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code mlv models …}: the model registry from the command line. Every subcommand is listed once, in
 * {@code subcommands} below (one line each; serving adds its own there).
 *
 * <p>Exit codes: 0 success, 1 failure, 2 usage error, 3 a promotion gate failed ({@code promote}).
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"Register, promote, roll back and inspect model versions.",
                "Model URIs: models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS, models:/NAME/latest."})
public final class ModelsCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            ListModelsCommand.class,
            DescribeModelCommand.class,
            RegisterModelCommand.class,
            TransitionCommand.class,
            AliasCommand.class,
            PromoteCommand.class,
            ApproveCommand.class,
            RollbackCommand.class,
            HistoryCommand.class,
            ManageCommands.UpdateCmd.class,
            ManageCommands.TagCmd.class,
            ManageCommands.RenameCmd.class,
            ManageCommands.DeleteCmd.class,
            MetadataCommand.class,
            LineageCommand.class,
            dev.mlv.cli.serving.ServeCommand.class,
            dev.mlv.cli.serving.PredictCommand.class,
            dev.mlv.cli.serving.GenerateDockerfileCommand.class,
    };

    /** Exit code of {@code promote} when a gate failed. */
    public static final int GATE_FAILED = 3;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
