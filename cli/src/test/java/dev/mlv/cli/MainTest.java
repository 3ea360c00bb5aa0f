package dev.mlv.cli;

import dev.mlv.cli.tracking.ServerCommand;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Running one subcommand builds only that subcommand; anything else gets the full command tree. */
class MainTest {
    @Test
    void aKnownFirstArgumentBuildsOnlyThatSubcommand() {
        assertThat(Main.subcommandNamed("server")).isEqualTo(ServerCommand.class);
        assertThat(Main.subcommandNamed("db")).isEqualTo(DbCommand.class);
        assertThat(Main.commandLine("server").getSubcommands()).containsOnlyKeys("server");
    }

    @Test
    void helpOptionsAndUnknownWordsGetEverySubcommand() {
        int all = Main.commandLine().getSubcommands().size();
        assertThat(all).isEqualTo(Main.SUBCOMMANDS.length);
        assertThat(Main.subcommandNamed("--help")).isNull();
        assertThat(Main.commandLine("--help").getSubcommands()).hasSize(all);
        assertThat(Main.commandLine("serverz").getSubcommands()).hasSize(all);
    }
}
