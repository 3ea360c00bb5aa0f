package dev.mlv.cli.data;

import dev.mlv.data.DataImport;
import dev.mlv.data.DataRepo;
import dev.mlv.data.PointerFile;
import dev.mlv.data.Remote;
import dev.mlv.data.UrlImport;
import dev.mlv.errors.MlvException;
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
                    "  mlv data import ../registry scans --no-download           # scans.mlv only; 'pull' brings it",
                    "  git add data/images.mlv data/.gitignore && git commit -m 'images v2 from the registry'"})
    static final class Import implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Mixin
        JobsOption jobs;

        @Mixin
        SourceOptions from;

        @Parameters(index = "1", paramLabel = "PATH", description = "Tracked data in it, or a file or folder inside a tracked "
                + "directory, relative to the top of that repository.")
        String path;

        @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "Where the data goes in this repository; must not "
                + "exist (default: the last segment of PATH, in the current folder).")
        String out;

        @Option(names = "--no-download", description = "Write only the pointer, from the source's (nothing is downloaded); "
                + "'mlv data pull' brings the data later (as DVC's --no-download).")
        boolean noDownload;

        @Override
        public Integer call() {
            try (DataRepo r = jobs.open(repo)) {
                Path o = out == null ? null : repo.base().resolve(out);
                DataImport.Result res = DataImport.importData(r, repo.base(), new DataImport.Request(from.repo, path, from.rev, from.remote, o),
                        noDownload);
                GitHint.after(repo, r, report(repo, r, List.of(res)));
            }
            return 0;
        }
    }

    @Command(name = "import-url", description = {"Download a file or folder from a URL into this repository and track it "
            + "with a pointer that records the URL and the version downloaded, as 'dvc import-url'.",
            "Sources: s3://bucket/key or a prefix (credentials and endpoint as for the artifact store: the AWS chain, "
                    + "MLV_S3_ENDPOINT_URL; the version is the ETag, for a folder a digest of its objects' ETags), "
                    + "http(s)://… of a file (the ETag or Last-Modified), a local file or folder outside the repository "
                    + "(its SHA-256), or remote://NAME/path inside data remote NAME (read with its options from .mlv/config, "
                    + "such as an S3 endpoint_url). 'mlv data update' downloads it again when the source changes, 'status' "
                    + "says when it has, and 'push' stores the bytes on your remote like data you added."},
            footer = {"", "Examples:",
                    "  mlv data import-url s3://datasets/iris/iris.csv data/iris.csv",
                    "  mlv data import-url s3://datasets/images/ data/images   # a whole prefix",
                    "  mlv data import-url https://example.org/train.csv       # ./train.csv(.mlv)",
                    "  mlv data import-url remote://lake/raw/iris.csv          # inside remote 'lake'",
                    "  mlv data import-url s3://raw/scans/ data/scans --to-remote   # straight to the default remote",
                    "  git add data/iris.csv.mlv data/.gitignore && git commit -m 'iris from S3'"})
    static final class ImportUrl implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Mixin
        JobsOption jobs;

        @Parameters(index = "0", paramLabel = "URL", description = "s3://bucket/key or prefix, http(s)://… of a file, a local file or folder, or remote://NAME/path.")
        String url;

        @Parameters(index = "1", arity = "0..1", paramLabel = "OUT", description = "Where the data goes in this repository; "
                + "must not exist (default: the URL's last segment, in the current folder).")
        String out;

        @Mixin
        ToRemoteOption toRemote;

        @Override
        public Integer call() {
            try (DataRepo r = jobs.open(repo); Remote remote = toRemote.open(r)) {
                Path o = out == null ? null : repo.base().resolve(out);
                List<UrlImport.Result> results = List.of(UrlImport.importUrl(r, repo.base(), url, o, remote));
                GitHint.after(repo, r, reportUrl(repo, r, results));
                toRemote.pullHint(repo, r, remote, results);
            }
            return 0;
        }
    }

    /**
     * Imports that update leaves out ({@code those}): when targets were named, refused with {@code refusal} of the
     * first one's pointer, before anything changes; else skipped with the note "skipping N {@code what}, e.g. FIRST"
     * and {@code hint}.
     */
    private static void leaveOut(RepoOptions repo, DataRepo r, boolean all, List<DataRepo.Target> those,
                                 java.util.function.UnaryOperator<String> refusal, String what, String hint) {
        if (those.isEmpty()) return;
        String first = r.root().relativize(those.get(0).tracked().pointer()).toString();
        if (!all) throw MlvException.invalid(refusal.apply(first));
        if (!repo.quiet && !repo.json()) repo.output().println("skipping " + those.size() + " " + what + ", e.g. " + first + hint);
    }

    /** {@code --to-remote [-r REMOTE]} (as DVC's): the data goes straight to a remote, not to the cache or workspace. */
    static final class ToRemoteOption {
        @Option(names = "--to-remote", description = "Upload the data straight to a remote instead of the cache and the "
                + "workspace (a file at a time through a temp file), and write only the pointer; 'mlv data pull' brings "
                + "the data here later (as DVC's --to-remote).")
        boolean toRemote;

        @Option(names = {"-r", "--remote"}, paramLabel = "REMOTE", description = "With --to-remote: the remote (default: the default remote).")
        String remote;

        /** The remote to upload to; null without --to-remote. */
        Remote open(DataRepo r) {
            if (!toRemote) {
                if (remote != null) throw MlvException.invalid("-r/--remote applies with --to-remote only");
                return null;
            }
            return r.openRemote(remote);
        }

        void pullHint(RepoOptions repo, DataRepo r, Remote remote, List<UrlImport.Result> results) {
            if (remote == null || repo.quiet || repo.json()) return;
            for (UrlImport.Result res : results) {
                if (res.previous() != null && !res.changed()) continue;
                repo.output().println("The data is on " + remote.url() + " only: 'mlv data pull "
                        + r.root().relativize(res.tracked().pointer()) + "' brings it here");
            }
        }
    }

    @Command(name = "update", description = {"Update imported data to what its revision names in its source now "
            + "(as 'dvc update'), or to another revision with --rev; data from 'import-url' to what its URL holds now.",
            "Refuses to overwrite uncommitted changes to the data unless --force; data that is not imported is refused."})
    static final class Update implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Mixin
        JobsOption jobs;

        @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pointer files or data paths (default: every import).")
        List<String> targets;

        @Option(names = "--rev", paramLabel = "REV", description = "Commit, tag or branch to follow from now on.")
        String rev;

        @Option(names = "--force", description = "Overwrite uncommitted changes to the data.")
        boolean force;

        @Mixin
        ToRemoteOption toRemote;

        @Option(names = "--no-download", description = "Data from 'mlv data import': change only the pointers to the new "
                + "version; 'mlv data pull' brings the data later (as DVC's --no-download).")
        boolean noDownload;

        @Override
        public Integer call() {
            if (noDownload && toRemote.toRemote) throw MlvException.invalid("--no-download and --to-remote exclude each other");
            try (DataRepo r = jobs.open(repo); Remote remote = toRemote.open(r)) {
                boolean all = targets == null || targets.isEmpty();
                List<DataRepo.Target> t = r.targets(repo.paths(targets));
                List<DataRepo.Target> frozen = t.stream().filter(x -> x.tracked().file().frozen()).toList();
                if (!frozen.isEmpty()) {
                    leaveOut(repo, r, all, frozen, first -> first + " is frozen: 'mlv data unfreeze " + first + "' lets update change it",
                            "frozen import(s)", " ('mlv data unfreeze' lets update change them)");
                    t = t.stream().filter(x -> !x.tracked().file().frozen()).toList();
                    if (t.stream().noneMatch(x -> x.tracked().file().isImported())) {
                        if (repo.json()) repo.output().json(List.of());
                        return 0;
                    }
                }
                List<DataRepo.Target> fromUrls = UrlImport.imported(t);
                if (rev != null && !fromUrls.isEmpty()) {
                    throw MlvException.invalid("--rev applies to data from 'mlv data import'; "
                            + r.root().relativize(fromUrls.get(0).tracked().pointer()) + " comes from a URL");
                }
                List<DataRepo.Target> fromRepos = t.stream().filter(x -> x.tracked().file().external() == null).toList();
                if (all) fromRepos = DataImport.imported(fromRepos);
                if (noDownload) {
                    leaveOut(repo, r, all, fromUrls, first -> "--no-download applies to data from 'mlv data import'; " + first
                            + " comes from a URL, whose new version is known only once downloaded", "import(s) --no-download does not apply to", "");
                    fromUrls = List.of();
                }
                if (remote != null) {
                    leaveOut(repo, r, all, fromRepos, first -> "--to-remote applies to data from 'mlv data import-url'; " + first
                            + " comes from a repository", "import(s) --to-remote does not apply to", "");
                    fromRepos = List.of();
                }
                List<DataImport.Result> repoResults = DataImport.update(r, fromRepos, rev, force, noDownload);
                List<UrlImport.Result> urlResults = UrlImport.update(r, fromUrls, force, remote);
                if (repo.json()) {
                    List<Map<String, Object>> rows = new ArrayList<>(rows(r, repoResults));
                    rows.addAll(urlRows(r, urlResults));
                    repo.output().json(rows);
                    return 0;
                }
                boolean changed = (!repoResults.isEmpty() || urlResults.isEmpty()) && report(repo, r, repoResults);
                GitHint.after(repo, r, reportUrl(repo, r, urlResults) || changed);
                toRemote.pullHint(repo, r, remote, urlResults);
            }
            return 0;
        }
    }

    private static List<Map<String, Object>> rows(DataRepo r, List<DataImport.Result> results) {
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
        return rows;
    }

    /** Prints what {@code import} or {@code update} did; returns whether a pointer changed. */
    static boolean report(RepoOptions repo, DataRepo r, List<DataImport.Result> results) {
        if (repo.json()) {
            repo.output().json(rows(r, results));
            return false;
        }
        if (repo.quiet) return false;
        if (results.isEmpty()) repo.output().println("Nothing to update: no data here was imported with 'mlv data import' or 'import-url'.");
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
        return results.stream().anyMatch(x -> x.previousCommit() == null || x.changed()
                || !x.previousCommit().equals(x.tracked().file().source().revLock()));
    }

    /** Says how to commit changed pointers, once per command ({@code changed} is false with --json and --quiet). */
    private static List<Map<String, Object>> urlRows(DataRepo r, List<UrlImport.Result> results) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UrlImport.Result res : results) {
            PointerFile.External e = res.tracked().file().external();
            PointerFile.Out o = res.tracked().file().outs().get(0);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pointer", r.root().relativize(res.tracked().pointer()).toString());
            m.put("url", e.url());
            m.put("etag", e.etag());
            m.put("modified", e.modified());
            m.put("changed", res.changed());
            m.put("digest", o.digest());
            m.put("size", o.size());
            rows.add(m);
        }
        return rows;
    }

    /** Prints what {@code import-url} or {@code update} did; returns whether a pointer changed. */
    private static boolean reportUrl(RepoOptions repo, DataRepo r, List<UrlImport.Result> results) {
        if (repo.json()) {
            repo.output().json(urlRows(r, results));
            return false;
        }
        if (repo.quiet) return false;
        for (UrlImport.Result res : results) {
            PointerFile.External e = res.tracked().file().external();
            PointerFile.Out o = res.tracked().file().outs().get(0);
            String pointer = r.root().relativize(res.tracked().pointer()).toString();
            if (res.previous() == null) {
                repo.output().println("imported " + e.url() + " (" + e.version() + ") → " + pointer + "  " + DataGetCommand.humanSize(o.size())
                        + (o.nfiles() != null ? ", " + o.nfiles() + " files" : ""));
            } else if (res.changed()) {
                repo.output().println("updated " + pointer + " from " + e.url() + ": " + res.previous().version() + " → " + e.version());
            } else {
                repo.output().println(pointer + " is up to date with " + e.url() + " (" + e.version() + ")");
            }
        }
        return results.stream().anyMatch(x -> !x.tracked().file().external().equals(x.previous())); // a new version of the same bytes too
    }
}
