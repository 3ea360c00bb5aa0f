package dev.mlv.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command and subcommand answers {@code --help} with its usage and exit code 0. */
class HelpEverywhereTest {

    @Test
    void everyCommandHasHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(Main.commandLine(), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(30);
        List<String> cutShort = new ArrayList<>();
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            String[] argv = args.toArray(String[]::new);
            StringWriter out = new StringWriter();
            int code = execute(Main.commandLine(), argv, out);
            assertThat(code).as("exit code of mlv %s --help", String.join(" ", path)).isZero();
            assertThat(out.toString()).as("help of mlv %s", String.join(" ", path)).contains("Usage: mlv");
            // the parent's command list shows only the first line: it must be a whole sentence
            String[] description = commandAt(path).getCommandSpec().usageMessage().description();
            if (description.length == 0 || !description[0].strip().matches("(?s).*[.)]")) {
                cutShort.add(String.join(" ", path) + ": " + (description.length == 0 ? "(none)" : description[0]));
            }
            // as the command runs it: only the commands on the path built, with the same help
            CommandLine lazy = Main.commandLine(argv);
            StringWriter lazyOut = new StringWriter();
            assertThat(execute(lazy, argv, lazyOut)).isZero();
            assertThat(lazyOut.toString()).as("help of mlv %s, built alone", String.join(" ", path)).isEqualTo(out.toString());
        }
        assertThat(cutShort).as("commands whose listed description is not a whole sentence").isEmpty();
        CommandLine alone = Main.commandLine("data", "status");
        assertThat(alone.getSubcommands()).containsOnlyKeys("data");
        assertThat(alone.getSubcommands().get("data").getSubcommands()).containsOnlyKeys("status");
        assertThat(Main.commandLine("data", "--help").getSubcommands().get("data").getSubcommands())
                .hasSize(Main.subcommandsOf(dev.mlv.cli.data.DataCommand.class).length);
    }

    private static CommandLine commandAt(List<String> path) {
        CommandLine cl = Main.commandLine();
        for (String name : path) cl = cl.getSubcommands().get(name);
        return cl;
    }

    private static int execute(CommandLine cl, String[] args, StringWriter out) {
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        return cl.execute(args);
    }

    private static void collect(CommandLine cl, List<String> prefix, List<List<String>> into) {
        for (var e : cl.getSubcommands().entrySet()) {
            if (!e.getValue().getCommandName().equals(e.getKey())) continue; // aliases
            List<String> path = new ArrayList<>(prefix);
            path.add(e.getKey());
            into.add(path);
            collect(e.getValue(), path, into);
        }
    }
}
