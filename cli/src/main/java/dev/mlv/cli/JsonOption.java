package dev.mlv.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code --json} alone, for commands that do not talk to a server ({@code @Mixin JsonOption out;}). */
public final class JsonOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--json", description = "Print JSON for scripts instead of human-readable text.")
    boolean json;

    public boolean json() {
        return json;
    }

    public Output output() {
        return new Output(mixee.commandLine().getOut());
    }
}
