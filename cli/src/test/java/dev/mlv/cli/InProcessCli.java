package dev.mlv.cli;

import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** Runs {@code mlv ARGS} in this JVM with {@code stdin} as standard input; for tests. */
public final class InProcessCli {
    private InProcessCli() {
    }

    /** {@code {exit code, stdout, stderr}}. */
    public static String[] run(String stdin, String... args) {
        InputStream before = System.in;
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
        try {
            CommandLine cl = Main.commandLine();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return new String[]{String.valueOf(cl.execute(args)), out.toString(), err.toString()};
        } finally {
            System.setIn(before);
        }
    }
}
