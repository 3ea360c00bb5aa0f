package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "gc", description = "Remove cached objects no pointer references (in the workspace, or in any commit). "
        + "Objects younger than gc_grace_seconds (default 1 h) are always kept.")
final class DataGcCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    static final class Scope {
        @Option(names = {"-w", "--workspace"}, required = true, description = "Keep what the workspace's pointers reference.")
        boolean workspace;

        @Option(names = {"-a", "--all-commits"}, required = true,
                description = "Keep what the workspace and every commit reachable from any ref reference.")
        boolean allCommits;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Option(names = {"-n", "--dry-run"}, description = "Only list what would be removed.")
    boolean dryRun;

    @Option(names = {"-p", "--projects"}, arity = "1..*", paramLabel = "REPO", description = "Other repositories that use "
            + "the same cache_dir: what they reference (in their workspace, or with -a in any of their commits) is kept too "
            + "(as 'dvc gc --projects'). Required when the cache is a cache_dir; '.' when only this repository uses it.")
    List<String> projects = List.of();

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            List<Path> others = projects.stream().map(p -> repo.base().resolve(p)).toList();
            DataRepo.GcResult g = r.gc(scope.allCommits, dryRun, others);
            if (repo.json()) {
                repo.output().json(g);
                return 0;
            }
            if (dryRun) for (String n : g.removed()) repo.output().writer().println("would remove " + n);
            repo.output().println((dryRun ? "would remove " : "removed ") + g.removed().size() + " object(s), " + g.bytes()
                    + " bytes; kept " + g.kept() + " referenced and " + g.young() + " younger than the grace period");
            if (!g.unknownManifests().isEmpty()) {
                repo.output().println("note: " + g.unknownManifests().size()
                        + " referenced directory manifest(s) are not in the cache; their files could not be identified");
            }
        }
        return 0;
    }
}
