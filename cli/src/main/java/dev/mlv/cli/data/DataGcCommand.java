package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.Remote;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "gc", description = "Remove cached objects no pointer references (in the workspace, or in any commit); "
        + "with --cloud from a remote too. Objects younger than gc_grace_seconds (default 1 h) are always kept.")
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
            + "(as 'dvc gc --projects'); their mlv data commands wait until gc is done. Required when the cache is a "
            + "cache_dir; '.' when only this repository uses it.")
    List<String> projects = List.of();

    @Option(names = {"-c", "--cloud"}, description = "Also remove those objects from a remote (as 'dvc gc --cloud'): "
            + "local and S3 remotes. Objects written within the grace period stay. Other clones may have pushed data for "
            + "commits this one lacks: list with --dry-run first, then confirm (or --force).")
    boolean cloud;

    @Option(names = {"-r", "--remote"}, paramLabel = "REMOTE", description = "With --cloud: the remote (default: the default remote).")
    String remote;

    @Option(names = {"-f", "--force"}, description = "With --cloud: remove from the remote without asking.")
    boolean force;

    /** Whether the user declined at the prompt (nothing was removed from the remote then). */
    private boolean declined;

    @Override
    public Integer call() {
        if ((remote != null || force) && !cloud) throw MlvException.invalid((remote != null ? "-r/--remote" : "-f/--force") + " applies with --cloud only");
        if (cloud && !dryRun && !force && System.console() == null) {
            throw MlvException.invalid("gc --cloud removes objects from a remote that other clones may still need, and there is no "
                    + "terminal to confirm it: check with --dry-run, then run again with --force");
        }
        try (DataRepo r = repo.open()) {
            List<Path> others = projects.stream().map(p -> repo.base().resolve(p)).toList();
            DataRepo.GcResult g = r.gc(scope.allCommits, dryRun, others);
            DataRepo.GcResult onRemote = null;
            String where = null;
            if (cloud) {
                try (Remote rm = r.openRemote(remote)) {
                    where = rm.url();
                    onRemote = r.gcRemote(rm, scope.allCommits, others, plan -> !dryRun && (force || confirm(plan, rm.url())));
                }
            }
            if (repo.json()) {
                repo.output().json(cloud ? Map.of("cache", g, "remote", onRemote) : g);
                return 0;
            }
            report(g, "", dryRun);
            if (cloud) report(onRemote, " from " + where, !onRemote.removed().isEmpty() && (dryRun || declined));
        }
        return 0;
    }

    private boolean confirm(DataRepo.GcResult plan, String url) {
        java.io.Console c = System.console();
        String answer = c.readLine("Remove %d object(s), %d bytes, from %s? Other clones may have pushed them for commits "
                + "this one lacks. [y/N] ", plan.removed().size(), plan.bytes(), url);
        declined = answer == null || !answer.trim().equalsIgnoreCase("y") && !answer.trim().equalsIgnoreCase("yes");
        return !declined;
    }

    private void report(DataRepo.GcResult g, String where, boolean onlyListed) {
        if (onlyListed) for (String n : g.removed()) repo.output().writer().println("would remove " + n + where);
        repo.output().println((onlyListed ? "would remove " : "removed ") + g.removed().size() + " object(s), " + g.bytes()
                + " bytes" + where + "; kept " + g.kept() + " referenced and " + g.young() + " younger than the grace period");
        if (!g.unknownManifests().isEmpty()) {
            repo.output().println("note: " + g.unknownManifests().size()
                    + " referenced directory manifest(s) are not in the cache; their files could not be identified");
        }
    }
}
