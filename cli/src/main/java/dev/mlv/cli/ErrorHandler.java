package dev.mlv.cli;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * Turns every failure into one line {@code mlv: error: <message>} on stderr, plus a {@code hint:} line where one
 * helps, and an exit code: 2 for usage errors (unknown option, bad value, invalid input), 1 for everything else.
 * Set {@code MLV_DEBUG=1} to also print the stack trace.
 */
public final class ErrorHandler implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
    public static final int FAILURE = 1;
    public static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        Throwable e = ex instanceof UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
        if (e instanceof MlvException m) {
            print(err, m.getMessage(), hint(m, cmd));
            debug(err, ex);
            return isUsage(m.code()) ? USAGE : FAILURE;
        }
        if (e instanceof CommandLine.ParameterException p) {
            return handleParseException(p, new String[0]);
        }
        String msg = describe(e);
        print(err, msg, msg.contains("Port already in use") ? "pick another port with --port or MLV_PORT" : null);
        debug(err, ex);
        return FAILURE;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String help = "see '" + cmd.getCommandSpec().qualifiedName() + " --help'";
        List<String> close = ex instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
        String hint = close.isEmpty() ? help : "did you mean '" + close.get(0) + "'? " + help; // picocli's closest first
        print(cmd.getErr(), ex.getMessage(), hint);
        return USAGE;
    }

    /** Invalid input from the user is a usage error (2); everything else a failure (1). */
    static boolean isUsage(ErrorCode code) {
        return code == ErrorCode.INVALID_PARAMETER_VALUE || code == ErrorCode.BAD_REQUEST;
    }

    private static String hint(MlvException m, CommandLine cmd) {
        String msg = m.getMessage() == null ? "" : m.getMessage();
        return switch (m.code()) {
            case TEMPORARILY_UNAVAILABLE -> msg.contains("mlv server") ? null
                    : "is the server running? start it with ./mlv server or set MLV_TRACKING_URI";
            case INVALID_PARAMETER_VALUE, BAD_REQUEST -> "see '" + cmd.getCommandSpec().qualifiedName() + " --help'";
            case UNAUTHENTICATED -> msg.contains(".netrc") ? null : "set MLV_TRACKING_USERNAME and MLV_TRACKING_PASSWORD (a user added with 'mlv users add')";
            case PERMISSION_DENIED -> msg.contains("their permission") ? "'mlv permissions list USER' shows a user's grants"
                    : msg.contains("only administrators") ? "an administrator can ('mlv users set-admin NAME true' with the server's --backend-store-uri or --auth-file)"
                    : "this needs another user (e.g. a second person for a four-eyes approval)";
            default -> null;
        };
    }

    private static String describe(Throwable e) {
        if (e instanceof NoSuchFileException) return "No such file: " + e.getMessage();
        if (e instanceof AccessDeniedException) return "Permission denied: " + e.getMessage();
        String msg = e.getMessage();
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
    }

    private static void print(PrintWriter err, String message, String hint) {
        String oneLine = message == null ? "unknown error" : message.strip().replaceAll("\\s*\\R\\s*", " ");
        err.println("mlv: error: " + oneLine);
        if (hint != null) err.println("hint: " + hint);
        err.flush();
    }

    private static void debug(PrintWriter err, Throwable e) {
        String d = System.getenv("MLV_DEBUG");
        if (d != null && !d.isBlank() && !d.equals("0")) {
            e.printStackTrace(err);
            err.flush();
        }
    }
}
