package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.Remote;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", description = "Show tracked data that differs from its pointer (per file inside directories); "
        + "with --remote, objects the remote lacks.")
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

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pointer files or data paths (default: all).")
    List<String> targets;

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
            if (repo.json()) {
                repo.output().json(changes.stream().map(c -> Map.of("path", c.path(), "status", c.kind())).toList());
            } else if (changes.isEmpty()) {
                repo.output().println("Data and pointers are up to date.");
            } else {
                for (DataRepo.Change c : changes) repo.output().writer().println(String.format("%-9s %s", c.kind() + ":", c.path()));
                repo.output().writer().flush();
            }
        }
        return 0;
    }
}
