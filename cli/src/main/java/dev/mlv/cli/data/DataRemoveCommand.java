package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "remove", description = "Stop tracking data: delete PATH.mlv and the .gitignore entry. The data stays in "
        + "the workspace (and its objects in the cache) unless --outs.")
final class DataRemoveCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--outs", description = "Delete the data from the workspace too; refused when it has changes the "
            + "cache does not hold.")
    boolean outs;

    @Parameters(arity = "1..*", paramLabel = "TARGET", description = "Tracked data or its PATH.mlv pointer.")
    List<String> targets;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            List<String> removed = r.remove(repo.paths(targets), outs).stream()
                    .map(t -> r.root().relativize(t.pointer()).toString()).toList();
            if (repo.json()) repo.output().json(removed);
            else for (String p : removed) repo.output().println("removed " + p + (outs ? " and its data" : ""));
            GitHint.after(repo, r, !removed.isEmpty(), "To record it with git: git rm --cached <pointer>.mlv; git add .gitignore");
        }
        return 0;
    }
}
