package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The git hooks of {@code mlv data install}, as DVC's {@code dvc install}: {@code pre-commit} shows the data's status,
 * {@code post-checkout} checks out the data of the commit git just checked out, {@code pre-push} pushes the data to
 * the default remote (and stops the git push when that fails). Each hook is a two-line script that runs
 * {@code mlv data git-hook NAME}; a hook that is not one of these is never replaced.
 */
public final class GitHooks {
    /** The hooks, in the order they are written. */
    public static final List<String> NAMES = List.of("pre-commit", "post-checkout", "pre-push");
    private static final String MARKER = "# written by 'mlv data install' ('mlv data install --uninstall' removes it)";

    private GitHooks() {
    }

    /**
     * Writes the hooks of the git repository around {@code repoRoot} (an mlv data repository), running
     * {@code launcher} (the command that starts mlv). Rewrites hooks of its own; refuses, writing nothing, when any of
     * the three is some other script. Returns the hook files.
     */
    public static List<Path> install(Path repoRoot, String launcher) {
        Path hooks = hooksFolder(repoRoot);
        String prefix = new Git(repoRoot).prefix();
        for (String name : NAMES) {
            Path hook = hooks.resolve(name);
            if (Files.exists(hook) && !ours(hook)) {
                throw new MlvException(ErrorCode.INVALID_STATE, "A " + name + " hook exists already (" + hook + "): add the line '"
                        + command(launcher, name, prefix) + "' to it yourself, or move it away and run 'mlv data install' again");
            }
        }
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(hooks);
            for (String name : NAMES) {
                Path hook = hooks.resolve(name);
                String script = "#!/bin/sh\n" + MARKER + "\nexec " + command(launcher, name, prefix) + "\n";
                AtomicFiles.write(hook, script.getBytes(StandardCharsets.UTF_8));
                Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
                written.add(hook);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the git hooks in " + hooks + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** Deletes the hooks {@link #install} wrote, leaving any other; returns those deleted. */
    public static List<Path> uninstall(Path repoRoot) {
        Path hooks = hooksFolder(repoRoot);
        List<Path> deleted = new ArrayList<>();
        for (String name : NAMES) {
            Path hook = hooks.resolve(name);
            if (Files.exists(hook) && ours(hook)) {
                AtomicFiles.deleteQuietly(hook);
                deleted.add(hook);
            }
        }
        return deleted;
    }

    /** True while git rebases, when post-checkout runs for every picked commit and the data should wait for the end. */
    public static boolean rebasing(Path repoRoot) {
        Git git = new Git(repoRoot);
        for (String state : List.of("rebase-merge", "rebase-apply")) {
            Path p = git.gitPath(state);
            if (p != null && Files.exists(p)) return true;
        }
        return false;
    }

    private static Path hooksFolder(Path repoRoot) {
        Path hooks = new Git(repoRoot).gitPath("hooks");
        if (hooks == null) {
            throw new MlvException(ErrorCode.INVALID_STATE, repoRoot + " is not in a git repository: run 'git init' first");
        }
        return hooks;
    }

    private static boolean ours(Path hook) {
        try {
            return Files.readString(hook, StandardCharsets.UTF_8).contains(MARKER);
        } catch (IOException e) {
            return false;
        }
    }

    /** The hook's command line; git runs hooks at the top of the work tree, so {@code -C} names the mlv repository below it. */
    private static String command(String launcher, String hook, String prefix) {
        String dir = prefix.isEmpty() ? "" : " -C " + shellQuoted(prefix);
        return shellQuoted(launcher) + " data git-hook" + dir + " " + hook + " \"$@\"";
    }

    static String shellQuoted(String s) {
        return s.matches("[A-Za-z0-9_./:-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
