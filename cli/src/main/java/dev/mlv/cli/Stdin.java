package dev.mlv.cli;

import dev.mlv.errors.MlvException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Secrets read from standard input ({@code --password-stdin}, {@code --secret-stdin}), never from the command line. */
public final class Stdin {
    private Stdin() {
    }

    /** The first line of standard input; {@code INVALID_PARAMETER_VALUE} naming {@code what} when there is none. */
    public static String firstLine(String what) {
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null) throw MlvException.invalid("No " + what + " on standard input");
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
