package dev.mlv.cli.data;

import dev.mlv.data.DataList;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "list", description = {"List what a folder of another git repository holds at a "
        + "revision: git's files and the data mlv tracks (as 'dvc list').",
        "Shows what 'mlv data get' can download. Folders end in '/'. A folder inside tracked data is listed from the "
                + "data's manifest, fetched (verified) from the source's remote; nothing else is downloaded."},
        footer = {"", "Examples:",
                "  mlv data list ../project                  # the top folder",
                "  mlv data list ../project data --size      # with sizes; data folders also with their file counts",
                "  mlv data list ../project data/images -R   # every file inside tracked data",
                "  mlv data list https://github.com/org/project.git --data-only --rev v1.0"})
final class DataListCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Mixin
    SourceOptions from;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH", description = "Folder, tracked data, or folder inside "
            + "tracked data to list, relative to the top of the repository (default: the top).")
    String path;

    @Option(names = {"-R", "--recursive"}, description = "Every file below PATH, tracked directories expanded.")
    boolean recursive;

    @Option(names = "--data-only", description = "Only data mlv tracks (not git's files, nor the pointer files).")
    boolean dataOnly;

    @Option(names = "--size", description = "Show sizes (and the file count of data folders).")
    boolean size;

    @Option(names = "--show-hash", description = "Show the SHA-256 digest of data.")
    boolean showHash;

    @Override
    public Integer call() {
        DataList.Result r = DataList.list(repo.base(), new DataList.Request(from.repo, path, from.rev, from.remote, recursive, dataOnly),
                repo.progress());
        if (repo.json()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("commit", r.commit());
            out.put("entries", rows(r.entries()));
            repo.output().json(out);
        } else {
            print(repo, r.entries(), size, showHash);
        }
        return 0;
    }

    /** The entries for {@code --json}, as DVC's {@code list --json} names their fields. */
    static List<Map<String, Object>> rows(List<DataList.Entry> entries) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (DataList.Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("path", e.path());
            m.put("isdir", e.directory());
            m.put("isdata", e.data());
            m.put("size", e.size());
            if (e.nfiles() != null) m.put("nfiles", e.nfiles());
            if (e.digest() != null) m.put("digest", e.digest());
            rows.add(m);
        }
        return rows;
    }

    /** One line per entry, folders ending in '/', with sizes and digests in front when asked. */
    static void print(RepoOptions repo, List<DataList.Entry> entries, boolean size, boolean showHash) {
        for (DataList.Entry e : entries) {
            StringBuilder line = new StringBuilder();
            if (size) {
                String s = e.directory() && !e.data() && e.nfiles() == null ? "-" : DataGetCommand.humanSize(e.size())
                        + (e.nfiles() != null ? ", " + e.nfiles() + (e.nfiles() == 1 ? " file" : " files") : "");
                line.append(String.format("%-24s  ", s));
            }
            if (showHash) line.append(String.format("%-64s  ", e.digest() != null ? e.digest() : "-"));
            line.append(e.path()).append(e.directory() ? "/" : "");
            repo.output().println(line.toString().stripTrailing());
        }
    }
}
