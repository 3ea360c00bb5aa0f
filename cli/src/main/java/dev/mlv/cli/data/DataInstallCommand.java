package dev.mlv.cli.data;

import dev.mlv.cli.Main;
import dev.mlv.data.DataRepo;
import dev.mlv.data.GitHooks;
import dev.mlv.errors.MlvException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code install} (as {@code dvc install}) and the hidden {@code git-hook} that the hooks it writes run. */
final class DataInstallCommand {
    /** The environment variable the {@code ./mlv} launcher sets to its own path, for the hooks to run the same mlv. */
    static final String LAUNCHER_ENV = "MLV_LAUNCHER";

    private DataInstallCommand() {
    }

    @Command(name = "install", description = "Install git hooks, as 'dvc install': pre-commit shows 'mlv data status', "
            + "post-checkout runs 'mlv data checkout' after git switches branches, pre-push runs 'mlv data push' to the "
            + "default remote (a failed push stops the git push).",
            footer = {"", "Each hook runs the mlv that installed it. An existing hook of your own is never replaced: the "
                    + "error names the line to add to it. 'git commit --no-verify' and 'git push --no-verify' skip the hooks.", "",
                    "Examples:",
                    "  mlv data install",
                    "  mlv data install --uninstall"})
    static final class Install implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Option(names = "--uninstall", description = "Remove the hooks mlv wrote (others stay); with --use-pre-commit-tool, "
                + "mlv's entry of .pre-commit-config.yaml.")
        boolean uninstall;

        @Option(names = "--use-pre-commit-tool", description = "Add the hooks to the pre-commit framework's "
                + ".pre-commit-config.yaml instead (as 'dvc install --use-pre-commit-tool'); then run 'pre-commit install' "
                + "for the three hook types.")
        boolean preCommitTool;

        @Override
        public Integer call() {
            Path root = DataRepo.findRoot(repo.base());
            String launcher = System.getenv().getOrDefault(LAUNCHER_ENV, "mlv");
            if (preCommitTool) {
                Path file = uninstall ? GitHooks.uninstallPreCommit(root) : GitHooks.installPreCommit(root, launcher);
                if (repo.json()) repo.output().json(Map.of("pre_commit_config", file == null ? "" : file.toString(), "changed", file != null));
                else if (uninstall) repo.output().println(file == null ? "No mlv hooks in " + GitHooks.PRE_COMMIT_CONFIG + "."
                        : "removed mlv's hooks from " + file + (Files.exists(file) ? "" : " (and the file, which held nothing else)"));
                else if (file == null) repo.output().println("mlv's hooks are in " + GitHooks.PRE_COMMIT_CONFIG + " already.");
                else repo.output().println("added mlv's hooks to " + file + "\nTo use them: pre-commit install --hook-type pre-commit "
                        + "--hook-type pre-push --hook-type post-checkout");
                return 0;
            }
            List<Path> hooks = uninstall ? GitHooks.uninstall(root) : GitHooks.install(root, launcher);
            List<String> shown = hooks.stream().map(p -> root.relativize(p).toString()).toList();
            if (repo.json()) {
                repo.output().json(Map.of(uninstall ? "removed" : "installed", shown));
            } else if (uninstall && shown.isEmpty()) {
                repo.output().println("No mlv git hooks to remove.");
            } else {
                for (String s : shown) repo.output().println((uninstall ? "removed " : "installed ") + s);
                if (!uninstall) repo.output().println("The hooks run " + launcher + ".");
            }
            return 0;
        }
    }

    @Command(name = "git-hook", hidden = true, description = "Run by the git hooks 'mlv data install' writes.")
    static final class GitHook implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "HOOK", description = "pre-commit, post-checkout or pre-push.")
        String hook;

        @Parameters(index = "1..*", paramLabel = "ARG", description = "What git passes to the hook.")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            switch (hook) {
                case "pre-commit" -> {
                    run("status", "--no-updates"); // shown, never blocking
                    return 0;
                }
                case "post-checkout" -> {
                    // git passes: previous HEAD, new HEAD, 1 for a branch checkout (0: files checked out from a commit);
                    // the pre-commit framework passes the last in a variable instead
                    String kind = args.size() >= 3 ? args.get(2) : System.getenv("PRE_COMMIT_CHECKOUT_TYPE");
                    if (!"1".equals(kind)) return 0;
                    if (GitHooks.rebasing(DataRepo.findRoot(repo.base()))) return 0;
                    return run("checkout");
                }
                case "pre-push" -> {
                    int code = run("push");
                    if (code != 0) {
                        spec.commandLine().getErr().println("mlv: the data push failed, so git push stops here; fix the cause "
                                + "above, or skip the hook with 'git push --no-verify'");
                    }
                    return code;
                }
                default -> throw MlvException.invalid("Unknown hook '" + hook + "': mlv has pre-commit, post-checkout and pre-push");
            }
        }

        /** {@code mlv data COMMAND ARGS} in this repository, printing where this command prints. */
        private int run(String... command) {
            List<String> all = new ArrayList<>(List.of("data"));
            all.addAll(List.of(command));
            all.add("-C");
            all.add(repo.base().toString());
            CommandLine cl = Main.commandLine(all.toArray(String[]::new));
            cl.setOut(spec.commandLine().getOut());
            cl.setErr(spec.commandLine().getErr());
            return cl.execute(all.toArray(String[]::new));
        }
    }
}
