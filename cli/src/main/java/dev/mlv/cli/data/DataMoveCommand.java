package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "move", description = "Rename tracked data with its PATH.mlv and .gitignore entries; its files are not "
        + "re-hashed.")
final class DataMoveCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", paramLabel = "SRC", description = "Tracked data or its PATH.mlv pointer.")
    String src;

    @Parameters(index = "1", paramLabel = "DST", description = "The new path, or an existing folder to move it into.")
    String dst;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            DataRepo.Moved moved = r.move(repo.paths(List.of(src)).get(0), repo.paths(List.of(dst)).get(0));
            String from = r.root().relativize(moved.from().pointer()).toString();
            String to = r.root().relativize(moved.to().pointer()).toString();
            if (repo.json()) repo.output().json(Map.of("from", from, "to", to));
            else repo.output().println("moved " + from + " -> " + to);
            GitHint.after(repo, r, true, "To record it with git: git rm --cached " + from + "; git add " + to + " .gitignore");
        }
        return 0;
    }
}
