package dev.mlv.cli.tracking;

import dev.mlv.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher's hidden training run: {@code mlv server --exit-when-ready} starts, answers /health, stops, exits 0. */
class ServerExitWhenReadyTest {
    @Test
    void startsAnswersHealthAndReturnsZero(@TempDir Path home) {
        int code = Main.run("server", "--home", home.toString(), "--host", "127.0.0.1", "--port", "0",
                "--exit-when-ready");
        assertThat(code).isZero();
        assertThat(home.resolve("mlv.db")).exists();
    }

    @Test
    void theOptionIsHiddenFromHelp() {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.execute("server", "--help");
        assertThat(out.toString()).contains("--port").doesNotContain("exit-when-ready");
    }
}
