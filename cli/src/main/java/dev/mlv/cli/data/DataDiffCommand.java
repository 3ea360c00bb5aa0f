package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "diff", description = {"Files added, modified, deleted or renamed between two git revisions, or "
        + "between a revision and the data in the workspace (default: HEAD against the workspace, changes not yet "
        + "added included).",
        "--json prints DVC's diff object: {\"added\": [{\"path\": …}], \"deleted\": […], \"modified\": […], "
                + "\"renamed\": [{\"path\": {\"old\": …, \"new\": …}}]}, with \"hash\" in each entry under --show-hash."})
final class DataDiffCommand implements Callable<Integer> {
    private static final List<String> KINDS = List.of("added", "deleted", "modified", "renamed");

    @Mixin
    RepoOptions repo;

    @Parameters(index = "0", arity = "0..1", paramLabel = "REV_A", defaultValue = "HEAD", description = "The old "
            + "version (default: HEAD).")
    String revA;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REV_B", description = "The new version (default: the data "
            + "in the workspace now).")
    String revB;

    @Option(names = "--show-hash", description = "Also print each file's digest (old..new for a modified file), as "
            + "DVC's diff --show-hash.")
    boolean showHash;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            List<DataRepo.Difference> changes = r.diff(revA, revB);
            if (repo.json()) {
                repo.output().json(dvcJson(changes));
            } else if (changes.isEmpty()) {
                repo.output().println("No data changes.");
            } else {
                for (var c : changes) {
                    String hash = !showHash ? "" : hashOf(c) instanceof String h ? shortHash(h) + " "
                            : shortHash(c.oldDigest()) + ".." + shortHash(c.newDigest()) + " ";
                    String path = c.from() == null ? c.path() : c.from() + " -> " + c.path();
                    repo.output().writer().println(String.format("%-9s %s%s", c.kind() + ":", hash, path));
                }
                repo.output().writer().flush();
            }
        }
        return 0;
    }

    /** DVC's {@code diff --json} object: a list per kind, each entry's path (old and new for a rename) and, with
     * {@code --show-hash}, its hash (old and new for a modification). */
    private Map<String, List<Map<String, Object>>> dvcJson(List<DataRepo.Difference> changes) {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        KINDS.forEach(k -> out.put(k, new ArrayList<>()));
        for (var c : changes) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("path", c.from() == null ? c.path() : oldNew(c.from(), c.path()));
            if (showHash) e.put("hash", hashOf(c));
            out.get(c.kind()).add(e);
        }
        return out;
    }

    /** The digest DVC shows for a change: old and new for a modification, else the file's. */
    private static Object hashOf(DataRepo.Difference c) {
        return switch (c.kind()) {
            case "modified" -> oldNew(c.oldDigest(), c.newDigest());
            case "deleted" -> c.oldDigest();
            default -> c.newDigest();
        };
    }

    private static Map<String, String> oldNew(String old, String now) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("old", old);
        m.put("new", now);
        return m;
    }

    private static String shortHash(String digest) {
        return digest.substring(0, Math.min(8, digest.length()));
    }
}
