package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diff", description = "Files added, modified or deleted between two git revisions, or between a "
        + "revision and the data in the workspace (default: HEAD against the workspace, changes not yet added included).")
final class DataDiffCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REV_A", defaultValue = "HEAD", description = "The old "
            + "version (default: HEAD).")
    String revA;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV_B", description = "The new version (default: the data "
            + "in the workspace now).")
    String revB;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            var changes = r.diff(revA, revB);
            if (repo.json()) {
                repo.output().json(changes.stream().map(c -> Map.of("path", c.path(), "status", c.kind())).toList());
            } else if (changes.isEmpty()) {
                repo.output().println("No data changes.");
            } else {
                for (var c : changes) repo.output().writer().println(String.format("%-9s %s", c.kind() + ":", c.path()));
                repo.output().writer().flush();
            }
        }
        return 0;
    }
}
