package dev.mlv.cli.quickstart;

import dev.mlv.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv quickstart} runs the whole lifecycle end to end in a fresh folder. */
class QuickstartCommandTest {

    @Test
    void runsTheLifecycleEndToEnd(@TempDir Path tmp) {
        StringWriter sw = new StringWriter();
        StringWriter err = new StringWriter();
        Path home = tmp.resolve("qs");
        int code = Main.commandLine().setOut(new PrintWriter(sw, true)).setErr(new PrintWriter(err, true))
                .execute("quickstart", "--home", home.toString());
        String out = sw.toString();
        System.out.println(out);
        assertThat(code).as(out + err).isZero();
        assertThat(out).contains("[1] Start an embedded mlv server")
                .contains("iris.csv.mlv").contains("digest:")
                .contains("accuracy")
                .contains("predicted setosa")
                .contains("answers with version")
                .contains("Production")
                .contains("\"name\"")
                // the printed commands can be pasted into a shell: '>=' and spaces are quoted
                .contains("--require 'metrics.accuracy >= 0.8' --reason 'quickstart: best accuracy'")
                .doesNotContain("--tracking-uri");
        assertThat(home.resolve("project").resolve("iris.csv")).exists();
        assertThat(Files.exists(home.resolve("server"))).isTrue();
    }

    @Test
    void showsCommandsShellQuotedWithoutTheQuickstartsOwnOptions() {
        assertThat(QuickstartCommand.shown("models", "promote", "m", "2", "--tracking-uri", "http://x:1", "-q",
                "--reason", "it's best", "--require", "a>=1", "-C", "/p")).isEqualTo(
                "mlv models promote m 2 --reason 'it'\\''s best' --require 'a>=1'");
    }

    @Test
    void refusesANonEmptyHome(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("x"), "x");
        int code = Main.commandLine().setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(new StringWriter()))
                .execute("quickstart", "--home", tmp.toString());
        assertThat(code).isNotZero();
    }

    @Test
    void bundlesTheIrisDataset() throws Exception {
        try (var in = QuickstartCommand.class.getResourceAsStream("/dev/mlv/cli/quickstart/iris.csv")) {
            String csv = new String(in.readAllBytes());
            var lines = csv.strip().split("\n");
            assertThat(lines).hasSize(151);
            assertThat(lines[0]).isEqualTo("sepal_length,sepal_width,petal_length,petal_width,species");
            double sepalLengthSum = 0;
            for (int i = 1; i < lines.length; i++) sepalLengthSum += Double.parseDouble(lines[i].split(",")[0]);
            assertThat(sepalLengthSum).isCloseTo(876.5, org.assertj.core.api.Assertions.within(1e-6));
        }
    }
}
