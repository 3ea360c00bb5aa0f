package dev.mlv.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv db upgrade} on an embedded SQLite file (the PostgreSQL path is covered in store-jdbc). */
class DbCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result mlv(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void upgradesOnceThenReportsUpToDate() {
        String uri = "sqlite:///" + dir.resolve("mlv.db");
        Result first = mlv("db", "upgrade", "--backend-store-uri", uri);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("Upgraded database " + uri + " from schema (empty) to").contains("applied");
        Result second = mlv("db", "upgrade", "--backend-store-uri", uri);
        assertThat(second.code()).isZero();
        assertThat(second.out()).contains("is up to date");
    }

    @Test
    void aBadUriIsAUsageErrorOnOneLine() {
        Result r = mlv("db", "upgrade", "--backend-store-uri", "mysql://u:secret@h/db");
        assertThat(r.code()).isEqualTo(ErrorHandler.USAGE);
        assertThat(r.err()).startsWith("mlv: error: ").doesNotContain("secret");
    }
}
