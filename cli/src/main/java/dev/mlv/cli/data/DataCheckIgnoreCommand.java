package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.IgnoreRules;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

@Command(name = "check-ignore", description = "Tell which paths .mlvignore files leave out of tracked directories, and "
        + "with -d by which rule (as 'dvc check-ignore'). Exit 0 if any path is ignored, 1 if none is.",
        footer = {"", "A .mlvignore holds .gitignore patterns (*.tmp, cache/, !keep.tmp, /top-only, **/scratch) and applies "
                + "to its folder and everything below; add, status and checkout skip what it matches.", "",
                "Examples:",
                "  mlv data check-ignore data/images/.DS_Store",
                "  mlv data check-ignore -d -n data/images/*"})
final class DataCheckIgnoreCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = {"-d", "--details"}, description = "Show the rule that decides each path: SOURCE:LINE:PATTERN, a tab, "
            + "the path (also for paths a '!' rule keeps).")
    boolean details;

    @Option(names = {"-n", "--non-matching"}, description = "With -d, also list paths no rule matches, as '::', a tab, "
            + "the path.")
    boolean nonMatching;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Paths inside the repository (they need not exist).")
    List<String> paths;

    @Override
    public Integer call() {
        if (nonMatching && !details) throw MlvException.invalid("--non-matching needs --details (-d)");
        boolean any = false;
        List<Map<String, Object>> rows = new ArrayList<>();
        try (DataRepo r = repo.open()) {
            for (String raw : paths) {
                Path p = r.resolveUserPath(repo.base().resolve(raw).toString());
                any |= report(raw, r.ignoreRule(p, Files.isDirectory(p) || raw.endsWith("/")), rows);
            }
        }
        if (repo.json()) repo.output().json(rows);
        return any ? 0 : 1;
    }

    /** Adds {@code raw}'s row and prints its line as the options say; true when it is ignored. */
    private boolean report(String raw, Optional<IgnoreRules.Match> m, List<Map<String, Object>> rows) {
        boolean ignored = m.map(IgnoreRules.Match::ignored).orElse(false);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("path", raw);
        row.put("ignored", ignored);
        m.ifPresent(x -> {
            row.put("source", x.source());
            row.put("line", x.line());
            row.put("pattern", x.pattern());
        });
        rows.add(row);
        if (repo.json()) return ignored;
        if (details && m.isPresent()) {
            repo.output().println(m.get().source() + ":" + m.get().line() + ":" + m.get().pattern() + "\t" + raw);
        } else if (details && nonMatching) {
            repo.output().println("::\t" + raw);
        } else if (!details && ignored) {
            repo.output().println(raw);
        }
        return ignored;
    }
}
