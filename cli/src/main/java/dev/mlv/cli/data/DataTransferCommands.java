package dev.mlv.cli.data;

import dev.mlv.data.DataImport;
import dev.mlv.data.DataRepo;
import dev.mlv.data.Remote;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code push}, {@code fetch}, {@code pull}. */
final class DataTransferCommands {
    private DataTransferCommands() {
    }

    abstract static class Base implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Option(names = {"-r", "--remote"}, paramLabel = "REMOTE", description = "Remote name (default: the default remote).")
        String remote;

        @Parameters(arity = "0..*", paramLabel = "TARGET",
                description = "Pointer files, data paths or paths inside tracked directories (default: all).")
        List<String> targets;

        @Mixin
        JobsOption jobs;

        /** The targets named (all by default), and with {@code allCommits} every version in git history too. */
        List<DataRepo.Target> targets(DataRepo r, boolean allCommits) {
            List<DataRepo.Target> t = r.targets(repo.paths(targets));
            if (!allCommits) return t;
            if (targets != null && !targets.isEmpty()) throw MlvException.invalid("--all-commits takes no TARGET: it means every version");
            List<DataRepo.Target> all = new ArrayList<>(t);
            all.addAll(r.historyTargets());
            return all;
        }

        void report(String verb, Remote rem, DataRepo.TransferResult r) {
            report(verb, rem.url(), r);
        }

        void report(String verb, String from, DataRepo.TransferResult r) {
            if (!repo.quiet || !r.ok()) {
                repo.output().println(verb + " " + r.transferred() + " object(s), " + r.bytes() + " bytes"
                        + (r.skipped() > 0 ? "; " + r.skipped() + " already there" : "") + " (" + from + ")");
            }
            if (!r.ok()) {
                String first = String.join("; ", r.failures().subList(0, Math.min(3, r.failures().size())));
                throw new MlvException(ErrorCode.INTERNAL_ERROR, r.failures().size() + " object(s) failed: " + first
                        + (r.failures().size() > 3 ? "; …" : ""));
            }
        }
    }

    @Command(name = "push", description = "Upload the objects the pointers name to a remote (only what it lacks).")
    static final class Push extends Base {
        @Option(names = {"-A", "--all-commits"}, description = "Also every version of your data that a commit of this "
                + "repository names (as 'dvc push --all-commits'), so that checking out any commit elsewhere finds its data.")
        boolean allCommits;

        @Override
        public Integer call() {
            try (DataRepo r = jobs.open(repo); Remote rem = r.openRemote(remote)) {
                List<DataRepo.Target> t = targets(r, allCommits);
                if (allCommits) { // an old folder version whose manifest is gone from this cache cannot be pushed from here
                    List<DataRepo.Target> known = r.withManifestsCached(t);
                    if (known.size() < t.size()) {
                        repo.progress().message("warning: " + (t.size() - known.size()) + " older folder version(s) are not "
                                + "in this cache (their manifest is missing); 'mlv data fetch --all-commits' where they are");
                    }
                    t = known;
                }
                report("pushed", rem, r.push(rem, t));
            }
            return 0;
        }
    }

    /** Fetches as {@link DataImport#fetchAll} does, and reports each source of objects. */
    abstract static class Fetching extends Base {
        void fetch(DataRepo r, List<DataRepo.Target> t) {
            DataImport.Fetched f = DataImport.fetchAll(r, remote, t);
            if (f.fromRemote() != null) report("fetched", f.remoteUrl(), f.fromRemote());
            if (f.fromSources() != null) report("fetched", "imports' sources", f.fromSources());
        }
    }

    @Command(name = "fetch", description = "Download the objects the pointers name from a remote into the cache (verified); "
            + "imported data the remote lacks from the repository it came from.")
    static final class Fetch extends Fetching {
        @Option(names = {"-A", "--all-commits"}, description = "Also every version of your data that a commit of this "
                + "repository names (as 'dvc fetch --all-commits').")
        boolean allCommits;

        @Override
        public Integer call() {
            try (DataRepo r = jobs.open(repo)) {
                fetch(r, targets(r, allCommits));
            }
            return 0;
        }
    }

    @Command(name = "pull", description = "fetch, then checkout.")
    static final class Pull extends Fetching {
        @Option(names = "--force", description = "Overwrite uncommitted changes to tracked data.")
        boolean force;

        @Override
        public Integer call() {
            try (DataRepo r = jobs.open(repo)) {
                var t = r.targets(repo.paths(targets));
                fetch(r, t);
                DataRepo.CheckoutResult c;
                try {
                    c = r.checkout(t, force);
                } catch (MlvException e) {
                    // a cached object found corrupt while checking out is quarantined: fetch it again, once
                    if (e.code() != ErrorCode.INVALID_STATE || !e.getMessage().contains("was corrupt")) throw e;
                    repo.progress().message(e.getMessage().replaceFirst(";.*", "") + "; fetching it again");
                    fetch(r, t);
                    c = r.checkout(t, force);
                }
                DataCheckoutCommand.report(repo, c);
            }
            return 0;
        }
    }
}
