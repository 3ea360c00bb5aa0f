package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "unprotect", description = "Make tracked files editable: replace the read-only links into the cache "
        + "(link_type hardlink or symlink) with writable copies. The next 'mlv data add' links them again.")
final class DataUnprotectCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(arity = "1..*", paramLabel = "TARGET", description = "Tracked data, its PATH.mlv, or files inside a tracked directory.")
    List<String> targets;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            int copied = r.unprotect(r.targets(repo.paths(targets)));
            if (repo.json()) repo.output().json(Map.of("unprotected", copied));
            else repo.output().println("unprotected " + copied + " file(s): writable copies instead of links into the cache");
        }
        return 0;
    }
}
