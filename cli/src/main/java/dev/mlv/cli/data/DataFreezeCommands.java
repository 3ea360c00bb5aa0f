package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code freeze} and {@code unfreeze} (as DVC's): pin imported data to the version its pointer records. */
final class DataFreezeCommands {
    private DataFreezeCommands() {
    }

    /** What both commands take; they differ only in the state they set. */
    abstract static class Toggle implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(arity = "1..*", paramLabel = "TARGET", description = "Imported data or its PATH.mlv.")
        List<String> targets;

        abstract boolean frozen();

        @Override
        public Integer call() {
            return run(repo, targets, frozen());
        }
    }

    @Command(name = "freeze", description = "Pin imported data to the version its pointer records: 'update' leaves it "
            + "alone and 'status' does not ask its source, until 'unfreeze' (as 'dvc freeze'). Writes 'frozen: true' "
            + "in PATH.mlv; commit it to pin it for everyone.",
            footer = {"", "Examples:",
                    "  mlv data freeze data/iris.csv      # 'mlv data update' skips it from now on",
                    "  mlv data unfreeze data/iris.csv"})
    static final class Freeze extends Toggle {
        @Override
        boolean frozen() {
            return true;
        }
    }

    @Command(name = "unfreeze", description = "Let 'update' and 'status' follow the source of frozen imported data again "
            + "(as 'dvc unfreeze').")
    static final class Unfreeze extends Toggle {
        @Override
        boolean frozen() {
            return false;
        }
    }

    private static int run(RepoOptions repo, List<String> targets, boolean frozen) {
        try (DataRepo r = repo.open()) {
            List<Path> changed = r.freeze(repo.paths(targets), frozen);
            List<String> shown = changed.stream().map(p -> r.root().relativize(p).toString()).toList();
            if (repo.json()) {
                repo.output().json(Map.of(frozen ? "frozen" : "unfrozen", shown));
            } else if (!repo.quiet) {
                for (String p : shown) repo.output().println((frozen ? "frozen " : "unfrozen ") + p);
                if (shown.size() < targets.size()) {
                    repo.output().println((targets.size() - shown.size()) + " already " + (frozen ? "frozen" : "unfrozen"));
                }
                GitHint.after(repo, r, !shown.isEmpty());
            }
        }
        return 0;
    }
}
