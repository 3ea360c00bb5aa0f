package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.PointerFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
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
            String source = repo.paths(List.of(src)).get(0);
            DataRepo.Tracked moved = r.move(source, repo.paths(List.of(dst)).get(0));
            String from = r.root().relativize(Path.of(source.endsWith(PointerFile.SUFFIX) ? source : source + PointerFile.SUFFIX)
                    .normalize()).toString();
            String to = r.root().relativize(moved.pointer()).toString();
            if (repo.json()) repo.output().json(Map.of("from", from, "to", to));
            else {
                repo.output().println("moved " + from + " -> " + to);
                if (!repo.quiet) repo.output().println("To record it with git: git rm --cached " + from + "; git add " + to + " .gitignore");
            }
        }
        return 0;
    }
}
