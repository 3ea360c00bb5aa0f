package dev.mlv.cli.data;

import dev.mlv.data.DataImport;
import dev.mlv.data.DataRepo;
import dev.mlv.data.Remote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", description = "Show tracked data that differs from its pointer (per file inside directories), "
        + "and imported data whose source has moved on ('update available'); with --remote, objects the remote lacks.")
final class DataStatusCommand implements Callable<Integer> {
    /**
     * Set by the launcher ({@code -Dmlv.status.hashLimit=BYTES}) when it runs this command with the JIT's quick compiler
     * alone: more to hash than this and the command exits with {@link #RERUN_WITH_FULL_JIT}, having printed nothing,
     * and the launcher runs it again with the optimizing compiler, whose SHA-256 is five times faster.
     */
    static final String HASH_LIMIT_PROPERTY = "mlv.status.hashLimit";
    /** EX_TEMPFAIL: the launcher's signal to run the command again with both compilers. */
    static final int RERUN_WITH_FULL_JIT = 75;

    @Mixin
    RepoOptions repo;

    @Option(names = "--remote", description = "Compare the cache with a remote instead of the workspace with the pointers.")
    boolean remote;

    @Option(names = {"-r", "--remote-name"}, paramLabel = "REMOTE", description = "Remote to compare with (default: the default remote).")
    String remoteName;

    @Option(names = "--no-updates", description = "Do not ask the sources of imported data whether they moved on "
            + "(no network; 'update available' is not reported).")
    boolean noUpdates;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pointer files or data paths (default: all).")
    List<String> targets;

    /** The status of imported data whose source's revision names a newer commit ({@code dvc status}'s words). */
    static final String UPDATE_AVAILABLE = "update available";

    @Spec
    CommandSpec spec;

    /** The imported data's path, relative to the repository (an import tracks one path). */
    private static String dataPath(DataRepo r, DataRepo.Target t) {
        return r.root().relativize(t.tracked().dataPath(t.tracked().file().outs().get(0))).toString();
    }

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            var t = r.targets(repo.paths(targets));
            if (remote || remoteName != null) {
                try (Remote rem = r.openRemote(remoteName)) {
                    DataRepo.RemoteStatus s = r.remoteStatus(rem, t);
                    if (repo.json()) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("remote", rem.url());
                        m.put("not_on_remote", s.notOnRemote());
                        m.put("not_in_cache", s.notInCache());
                        repo.output().json(m);
                    } else if (s.notOnRemote().isEmpty()) {
                        repo.output().println("Remote " + rem.url() + " has every object the pointers name.");
                    } else {
                        long notPushed = s.notOnRemote().stream().filter(d -> !s.notInCache().contains(d)).count();
                        repo.output().println(s.notOnRemote().size() + " object(s) missing on " + rem.url() + ": "
                                + notPushed + " in the cache (run 'mlv data push'), "
                                + (s.notOnRemote().size() - notPushed) + " not in the cache either");
                    }
                }
                return 0;
            }
            Long hashLimit = Long.getLong(HASH_LIMIT_PROPERTY);
            if (hashLimit != null) r.limitStatusHashing(hashLimit);
            List<DataRepo.Change> changes;
            try {
                changes = r.status(t);
            } catch (DataRepo.HashLimitExceeded e) {
                return RERUN_WITH_FULL_JIT;
            }
            DataImport.SourceCheck sources = noUpdates ? new DataImport.SourceCheck(List.of(), List.of()) : DataImport.sourceMoves(r, t);
            for (DataImport.SourceProblem p : sources.problems()) {
                spec.commandLine().getErr().println("mlv: warning: cannot check the source of " + dataPath(r, p.target()) + ": " + p.reason());
            }
            if (repo.json()) {
                List<Map<String, String>> out = new ArrayList<>(changes.stream().map(c -> Map.of("path", c.path(), "status", c.kind())).toList());
                for (DataImport.SourceMove m : sources.moved()) out.add(Map.of("path", dataPath(r, m.target()), "status", UPDATE_AVAILABLE));
                repo.output().json(out);
            } else if (changes.isEmpty() && sources.moved().isEmpty()) {
                repo.output().println("Data and pointers are up to date.");
            } else {
                for (DataRepo.Change c : changes) repo.output().writer().println(String.format("%-9s %s", c.kind() + ":", c.path()));
                changes.stream().filter(c -> c.kind().equals("modified") && !c.pointerVersionInCache()).findFirst().ifPresent(c ->
                        repo.output().writer().println("(modified data whose pointer's version is not in the cache, as after a git pull, e.g. "
                                + c.path() + ": 'mlv data pull' brings that version, 'mlv data add' records the data here instead)"));
                if (changes.stream().anyMatch(c -> c.kind().equals("modified") && c.pointerVersionInCache())) {
                    repo.output().writer().println("(modified data: 'mlv data add' records it, 'mlv data checkout --force' puts back "
                            + "the pointer's version)");
                }
                if (changes.stream().anyMatch(c -> c.kind().equals("deleted"))) {
                    repo.output().writer().println("(deleted data: 'mlv data checkout' restores it from the cache)");
                }
                if (changes.stream().anyMatch(c -> c.kind().equals(DataRepo.Change.NOT_IN_CACHE))) {
                    repo.output().writer().println("(data not in the cache: 'mlv data pull' downloads it)");
                }
                for (DataImport.SourceMove m : sources.moved()) {
                    repo.output().writer().println(UPDATE_AVAILABLE + ": " + dataPath(r, m.target()) + " (" + m.detail() + "; run 'mlv data update "
                            + r.root().relativize(m.target().tracked().pointer()) + "')");
                }
                repo.output().writer().flush();
            }
        }
        return 0;
    }
}
