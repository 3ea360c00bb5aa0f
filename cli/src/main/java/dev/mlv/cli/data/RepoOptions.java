package dev.mlv.cli.data;

import dev.mlv.cli.Output;
import dev.mlv.data.DataRepo;
import dev.mlv.data.Progress;
import dev.mlv.data.state.SqliteStateCache;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every {@code mlv data} command shares: {@code -C DIR}, {@code --quiet}, {@code --json}. */
public final class RepoOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "-C", paramLabel = "DIR", description = "Run as if started in DIR (default: the current folder).")
    Path dir;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or messages on stderr.")
    boolean quiet;

    @Option(names = "--json", description = "Print JSON for scripts instead of text.")
    boolean json;

    /** The folder the command runs in. */
    public Path base() {
        return (dir != null ? dir : Path.of(System.getProperty("user.dir"))).toAbsolutePath().normalize();
    }

    /** User paths made absolute against {@link #base()}. */
    public List<String> paths(List<String> raw) {
        List<String> out = new ArrayList<>();
        if (raw != null) for (String r : raw) out.add(base().resolve(r).toString());
        return out;
    }

    public Progress progress() {
        return quiet ? Progress.SILENT : new ConsoleProgress(mixee.commandLine().getErr());
    }

    /** Opens the repository around {@link #base()}, taking its lock. */
    public DataRepo open() {
        return DataRepo.open(base(), mixee.qualifiedName(), SqliteStateCache::inDirectory, progress());
    }

    public Output output() {
        return new Output(mixee.commandLine().getOut());
    }

    public boolean json() {
        return json;
    }
}
