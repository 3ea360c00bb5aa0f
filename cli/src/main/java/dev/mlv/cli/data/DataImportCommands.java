package dev.mlv.cli.data;

import dev.mlv.data.DataImport;
import dev.mlv.data.DataRepo;
import dev.mlv.data.PointerFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code import} and {@code update}: data from another repository, with a pointer that remembers where it came from. */
final class DataImportCommands {
    private DataImportCommands() {
    }

    @Command(name = "import", description = {"Download data another git repository tracks (a data registry) into this "
            + "one, as 'dvc import': like 'get', but the data is tracked here, with a pointer that records its source.",
            "OUT.mlv names the source repository, the path there, the revision followed and the commit it resolved to; "
                    + "'mlv data update' follows the revision again, and 'pull' on another clone downloads the data from "
                    + "your remote if it was pushed there, else from the source's remote."},
            footer = {"", "Examples:",
                    "  mlv data import ../registry datasets/iris.csv                 # ./iris.csv + iris.csv.mlv",
                    "  mlv data import https://github.com/org/registry.git images -o data/images --rev v2",
                    "  git add data/images.mlv data/.gitignore && git commit -m 'images v2 from the registry'"})
    static final class Import implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Mixin
        SourceOptions from;

        @Parameters(index = "1", paramLabel = "PATH", description = "Tracked data in it, or a file or folder inside a tracked "
                + "directory, relative to the top of that repository.")
        String path;

        @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "Where the data goes in this repository; must not "
                + "exist (default: the last segment of PATH, in the current folder).")
        String out;

        @Override
        public Integer call() {
            try (DataRepo r = repo.open()) {
                Path o = out == null ? null : repo.base().resolve(out);
                DataImport.Result res = DataImport.importData(r, repo.base(), new DataImport.Request(from.repo, path, from.rev, from.remote, o));
                report(repo, r, List.of(res));
            }
            return 0;
        }
    }

    @Command(name = "update", description = {"Update imported data to what its revision names in its source now "
            + "(as 'dvc update'), or to another revision with --rev.",
            "Refuses to overwrite uncommitted changes to the data unless --force; data that is not imported is refused."})
    static final class Update implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pointer files or data paths (default: every import).")
        List<String> targets;

        @Option(names = "--rev", paramLabel = "REV", description = "Commit, tag or branch to follow from now on.")
        String rev;

        @Option(names = "--force", description = "Overwrite uncommitted changes to the data.")
        boolean force;

        @Override
        public Integer call() {
            try (DataRepo r = repo.open()) {
                List<DataRepo.Target> t = r.targets(repo.paths(targets));
                if (targets == null || targets.isEmpty()) t = DataImport.imported(t);
                report(repo, r, DataImport.update(r, t, rev, force));
            }
            return 0;
        }
    }

    static void report(RepoOptions repo, DataRepo r, List<DataImport.Result> results) {
        if (repo.json()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (DataImport.Result res : results) {
                PointerFile.Import s = res.tracked().file().source();
                PointerFile.Out o = res.tracked().file().outs().get(0);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("pointer", r.root().relativize(res.tracked().pointer()).toString());
                m.put("repo", s.url());
                m.put("path", s.path());
                m.put("rev", s.rev());
                m.put("rev_lock", s.revLock());
                m.put("previous_rev_lock", res.previousCommit());
                m.put("changed", res.changed());
                m.put("digest", o.digest());
                m.put("size", o.size());
                m.put("transferred", res.fetched().transferred());
                rows.add(m);
            }
            repo.output().json(rows);
            return;
        }
        if (repo.quiet) return;
        if (results.isEmpty()) repo.output().println("Nothing to update: no data here was imported with 'mlv data import'.");
        for (DataImport.Result res : results) {
            PointerFile.Import s = res.tracked().file().source();
            String pointer = r.root().relativize(res.tracked().pointer()).toString();
            String from = s.url() + "@" + s.revLock().substring(0, 7) + (s.rev() != null ? " (" + s.rev() + ")" : "");
            if (res.previousCommit() == null) {
                PointerFile.Out o = res.tracked().file().outs().get(0);
                repo.output().println("imported " + s.path() + " from " + from + " → " + pointer + "  "
                        + DataGetCommand.humanSize(o.size()) + (o.nfiles() != null ? ", " + o.nfiles() + " files" : ""));
            } else if (res.changed()) {
                repo.output().println("updated " + pointer + ": " + s.path() + " from " + res.previousCommit().substring(0, 7) + " to " + from);
            } else {
                repo.output().println(pointer + " is up to date with " + from);
            }
        }
        if (results.stream().anyMatch(x -> x.previousCommit() == null || x.changed()
                || !x.previousCommit().equals(x.tracked().file().source().revLock()))) {
            repo.output().println("To track the changes with git: git add <pointer>.mlv .gitignore");
        }
    }
}
