package dev.mlv.cli.data;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code mlv data}: dataset versioning with git-friendly pointer files, a content-addressed cache and remotes. */
@Command(name = "data", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, synopsisSubcommandLabel = "COMMAND",
        description = "Version datasets: PATH.mlv pointers for git, objects in .mlv/cache, remotes to share them.")
public final class DataCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            DataInitCommand.class,
            DataAddCommand.class,
            DataStatusCommand.class,
            DataTransferCommands.Push.class,
            DataTransferCommands.Fetch.class,
            DataTransferCommands.Pull.class,
            DataGetCommand.class,
            DataListCommand.class,
            DataImportCommands.Import.class,
            DataImportCommands.ImportUrl.class,
            DataUrlCommands.GetUrl.class,
            DataUrlCommands.LsUrl.class,
            DataImportCommands.Update.class,
            DataFreezeCommands.Freeze.class,
            DataFreezeCommands.Unfreeze.class,
            DataCheckoutCommand.class,
            DataRemoveCommand.class,
            DataMoveCommand.class,
            DataUnprotectCommand.class,
            DataDiffCommand.class,
            DataGcCommand.class,
            DataFsckCommand.class,
            DataCheckIgnoreCommand.class,
            DataInstallCommand.Install.class,
            DataInstallCommand.GitHook.class,
            DataRemoteCommand.class,
            DataConfigCommand.class,
            DataLogCommand.class,
    };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
