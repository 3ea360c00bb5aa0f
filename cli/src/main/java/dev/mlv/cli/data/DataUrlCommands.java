package dev.mlv.cli.data;

import dev.mlv.data.DataGet;
import dev.mlv.data.DataList;
import dev.mlv.data.state.SqliteStateCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code get-url} and {@code ls-url}: a URL's files, downloaded or listed, without tracking them (as DVC's). */
final class DataUrlCommands {
    static final String SOURCES = "Sources, as for 'import-url': s3://bucket/key or a prefix, http(s)://… of a file, a local "
            + "file or folder, or remote://NAME/path inside a data remote of this repository (read with that remote's "
            + "options, such as an S3 endpoint_url).";

    private DataUrlCommands() {
    }

    @Command(name = "get-url", description = {"Download a file or folder from a URL, without tracking it (as 'dvc get-url').",
            SOURCES, "Works anywhere, inside a repository or not. The data appears at OUT only once complete."},
            footer = {"", "Examples:",
                    "  mlv data get-url s3://datasets/iris/iris.csv            # ./iris.csv",
                    "  mlv data get-url s3://datasets/images/ data/            # ./data/images/",
                    "  mlv data get-url remote://lake/raw/2026-11.csv raw.csv"})
    static final class GetUrl implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "URL", description = "The file or folder to download.")
        String url;

        @Parameters(index = "1", arity = "0..1", paramLabel = "OUT", description = "Where to write it: a path that does "
                + "not exist, or an existing folder to put it in (default: the URL's last segment, in the current folder).")
        String out;

        @Option(names = {"-f", "--force"}, description = "Replace what is at OUT, once the new data is complete (as "
                + "'dvc get-url --force').")
        boolean force;

        @Mixin
        JobsOption jobs;

        @Override
        public Integer call() {
            DataGet.UrlResult r = DataGet.getUrl(repo.base(), url, out, force, jobs.value(), SqliteStateCache::inDirectory, repo.progress());
            if (repo.json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("url", url);
                m.put("out", r.out().toString());
                m.put("directory", r.directory());
                m.put("files", r.files());
                m.put("bytes", r.bytes());
                repo.output().json(m);
            } else if (!repo.quiet) {
                repo.output().println("Downloaded " + url + " (" + r.files() + (r.files() == 1 ? " file, " : " files, ")
                        + DataGetCommand.humanSize(r.bytes()) + ") to " + repo.base().relativize(r.out()));
            }
            return 0;
        }
    }

    @Command(name = "ls-url", description = {"List the file or folder at a URL: a folder's entries, or with -R every "
            + "file below it (as 'dvc ls-url'). Nothing is downloaded.", SOURCES},
            footer = {"", "Examples:",
                    "  mlv data ls-url s3://datasets/images/ --size",
                    "  mlv data ls-url remote://lake/raw -R"})
    static final class LsUrl implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "URL", description = "The file or folder to list.")
        String url;

        @Option(names = {"-R", "--recursive"}, description = "Every file below the folder, instead of its direct entries.")
        boolean recursive;

        @Option(names = "--size", description = "Show sizes (and the file count of folders).")
        boolean size;

        @Override
        public Integer call() {
            List<DataList.Entry> entries = DataList.listUrl(repo.base(), url, recursive);
            if (repo.json()) repo.output().json(DataListCommand.rows(entries));
            else DataListCommand.print(repo, entries, size, false);
            return 0;
        }
    }
}
