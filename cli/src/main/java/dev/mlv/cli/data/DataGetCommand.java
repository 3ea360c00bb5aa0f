package dev.mlv.cli.data;

import dev.mlv.data.DataGet;
import dev.mlv.data.state.SqliteStateCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "get", description = {"Download data another git repository tracks, as of a revision, from its "
        + "remote (as 'dvc get').",
        "Works anywhere, inside a repository or not, and writes no pointer file. Every object's SHA-256 is verified; "
                + "the data appears at OUT only once complete."},
        footer = {"", "A local REPO is read in place (never modified); any other is cloned into a",
                "temporary folder beside OUT. A relative local remote in the source's",
                ".mlv/config is resolved against the source repository (or its clone).",
                "", "Examples:",
                "  mlv data get ../project data/train.csv        # ./train.csv, as of HEAD",
                "  mlv data get ../project data/images -o img-v1 --rev v1.0",
                "  mlv data get https://github.com/org/project.git data/train.csv -r backup"})
final class DataGetCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Mixin
    SourceOptions from;

    @Parameters(index = "1", paramLabel = "PATH", description = "Tracked file or directory in it (PATH.mlv beside it), "
            + "or a file or folder inside a tracked directory (only that part is downloaded), relative to the top of the repository.")
    String path;

    @Option(names = {"-o", "--out"}, paramLabel = "OUT", description = "Where to write the data; must not exist "
            + "unless --force (default: the last segment of PATH, in the current folder).")
    String out;

    @Option(names = {"-f", "--force"}, description = "Replace what is at OUT, once the new data is complete (as 'dvc get --force').")
    boolean force;

    @Mixin
    JobsOption jobs;

    @Override
    public Integer call() {
        DataGet.Result r = DataGet.get(repo.base(), new DataGet.Request(from.repo, path, from.rev, from.remote, out, force, jobs.value()),
                SqliteStateCache::inDirectory, repo.progress());
        String shownOut = out != null ? out : r.out().getFileName().toString();
        if (repo.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("repo", from.repo);
            m.put("path", r.path());
            m.put("rev", from.rev);
            m.put("commit", r.commit());
            m.put("remote", r.remoteUrl());
            m.put("out", r.out().toString());
            m.put("directory", r.directory());
            m.put("files", r.files());
            m.put("bytes", r.bytes());
            m.put("transferred", r.fetched().transferred());
            repo.output().json(m);
        } else if (!repo.quiet) {
            repo.output().println("fetched " + r.fetched().transferred() + " object(s), " + r.fetched().bytes() + " bytes ("
                    + r.remoteUrl() + ")");
            repo.output().println("Downloaded " + r.path() + " (" + r.files() + (r.files() == 1 ? " file, " : " files, ")
                    + humanSize(r.bytes()) + ") from " + from.repo + "@" + r.commit().substring(0, 7) + " to " + shownOut);
        }
        return 0;
    }

    /** {@code 512 bytes}, {@code 12.3 MiB}. */
    static String humanSize(long bytes) {
        if (bytes < 1024) return bytes + (bytes == 1 ? " byte" : " bytes");
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
