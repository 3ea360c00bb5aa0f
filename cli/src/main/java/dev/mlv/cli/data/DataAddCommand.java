package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.PointerFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "add", description = "Track files or directories: objects into the cache, PATH.mlv beside each, PATH in .gitignore.")
final class DataAddCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Files or directories to track.")
    List<String> paths;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            List<DataRepo.Tracked> added = r.add(repo.paths(paths));
            List<Map<String, Object>> json = new ArrayList<>();
            for (DataRepo.Tracked t : added) {
                PointerFile.Out o = t.file().outs().get(0);
                String ptr = r.root().relativize(t.pointer()).toString();
                if (repo.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("pointer", ptr);
                    m.put("digest", o.digest());
                    m.put("size", o.size());
                    if (o.nfiles() != null) m.put("nfiles", o.nfiles());
                    json.add(m);
                } else {
                    repo.output().println("added " + ptr + "  " + o.digest().substring(0, 12) + "  " + o.size() + " bytes"
                            + (o.nfiles() != null ? ", " + o.nfiles() + " files" : ""));
                }
            }
            if (repo.json()) repo.output().json(json);
            GitHint.after(repo, r, !added.isEmpty());
        }
        return 0;
    }
}
