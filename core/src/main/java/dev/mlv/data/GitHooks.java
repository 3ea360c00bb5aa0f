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
 * {@code mlv data git-hook NAME}; a hook that is not one of these is never replaced. For the pre-commit framework,
 * {@link #installPreCommit} adds the same three to its configuration instead.
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
                        + scriptCommand(launcher, name, prefix) + "' to it yourself, or move it away and run 'mlv data install' again (with the "
                        + "pre-commit framework: 'mlv data install --use-pre-commit-tool')");
            }
        }
        List<Path> written = new ArrayList<>();
        try {
            Files.createDirectories(hooks);
            for (String name : NAMES) {
                Path hook = hooks.resolve(name);
                String script = "#!/bin/sh\n" + MARKER + "\nexec " + scriptCommand(launcher, name, prefix) + "\n";
                AtomicFiles.write(hook, script.getBytes(StandardCharsets.UTF_8));
                Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
                written.add(hook);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the git hooks in " + hooks + ": " + e.getMessage(), e);
        }
        return written;
    }

    /** pre-commit's configuration, at the top of the work tree. */
    public static final String PRE_COMMIT_CONFIG = ".pre-commit-config.yaml";
    /** What each hook does, as pre-commit names it. */
    private static final java.util.Map<String, String> PRE_COMMIT_NAMES = java.util.Map.of(
            "pre-commit", "mlv data status", "post-checkout", "mlv data checkout", "pre-push", "mlv data push");

    /**
     * As {@code dvc install --use-pre-commit-tool}: adds the three hooks to the pre-commit framework's
     * {@value #PRE_COMMIT_CONFIG} at the top of the work tree, as a {@code repo: local} entry whose hooks run
     * {@code launcher}. An existing file keeps its text and comments: the entry is appended to its {@code repos} list,
     * and the result is parsed and checked before it is written; a file where that cannot be done safely (other keys
     * after {@code repos}) is left alone, and the error shows the entry to paste. Returns the file, or null when the
     * hooks are there already.
     */
    public static Path installPreCommit(Path repoRoot, String launcher) {
        Git git = new Git(repoRoot);
        Path file = preCommitConfig(git, repoRoot);
        String prefix = git.prefix();
        boolean legacy = legacyStageNames();
        try {
            String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            com.fasterxml.jackson.databind.JsonNode before = text.isBlank() ? DataConfig.YAML.createObjectNode() : DataConfig.YAML.readTree(text);
            if (hasMlvHooks(before)) return null;
            String next;
            if (text.isBlank()) {
                next = "repos:\n" + preCommitEntry("", launcher, prefix, legacy);
            } else {
                String indent = repoItemIndent(text);
                if (indent == null) {
                    throw new MlvException(ErrorCode.INVALID_STATE, PRE_COMMIT_CONFIG + " has other keys after its 'repos' list, so "
                            + "mlv does not change it: add this to its repos yourself:\n" + preCommitEntry("", launcher, prefix, legacy));
                }
                next = (text.endsWith("\n") ? text : text + "\n") + preCommitEntry(indent, launcher, prefix, legacy);
            }
            com.fasterxml.jackson.databind.JsonNode after = DataConfig.YAML.readTree(next);
            int was = before == null ? 0 : before.path("repos").size();
            if (after.path("repos").size() != was + 1 || !after.path("repos").get(was).path("repo").asText().equals("local")) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Cannot add mlv's hooks to " + PRE_COMMIT_CONFIG + " safely: add this "
                        + "to its repos yourself:\n" + preCommitEntry("", launcher, prefix, legacy));
            }
            AtomicFiles.write(file, next.getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw MlvException.invalid("Cannot read " + file + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
        }
    }

    /**
     * The indentation of the items of the {@code repos} list when it is the last key of the file (so an item appended
     * at the end joins it), else null.
     */
    private static String repoItemIndent(String text) {
        String[] lines = text.split("\\R");
        int repos = -1;
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].matches("repos:\\s*(#.*)?")) repos = i;
            else if (repos >= 0 && lines[i].matches("[^\\s#-].*")) return null; // another top-level key after it
        }
        if (repos < 0) return null;
        for (int i = repos + 1; i < lines.length; i++) {
            var m = java.util.regex.Pattern.compile("(\\s*)- .*").matcher(lines[i]);
            if (m.matches()) return m.group(1);
        }
        return null;
    }

    /**
     * Whether the pre-commit on the {@code PATH} is older than 3.2, which names the stages {@code commit} and
     * {@code push} and refuses {@code pre-commit} and {@code pre-push} (Debian 12 ships 3.0); newer ones take both.
     */
    static boolean legacyStageNames() {
        try {
            Process p = new ProcessBuilder("pre-commit", "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly();
            var m = java.util.regex.Pattern.compile("(\\d+)\\.(\\d+)").matcher(out);
            if (!m.find()) return false;
            int major = Integer.parseInt(m.group(1)), minor = Integer.parseInt(m.group(2));
            return major < 3 || (major == 3 && minor < 2);
        } catch (IOException e) {
            return false; // not installed (yet): name the stages as current releases do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The {@code repo: local} item with the three hooks, at {@code indent}; {@code legacy}: pre-commit's old stage names. */
    private static String preCommitEntry(String indent, String launcher, String prefix, boolean legacy) {
        StringBuilder b = new StringBuilder(indent).append("- repo: local\n").append(indent).append("  hooks:\n");
        for (String hook : NAMES) {
            // pre-commit splits entry as a shell would, and passes no arguments to these hooks (post-checkout's come in
            // PRE_COMMIT_* variables)
            String entry = command(launcher, hook, prefix);
            b.append(indent).append("  - id: mlv-").append(hook).append('\n')
                    .append(indent).append("    name: ").append(PRE_COMMIT_NAMES.get(hook)).append('\n')
                    .append(indent).append("    entry: \"").append(entry.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n")
                    .append(indent).append("    language: system\n")
                    .append(indent).append("    pass_filenames: false\n")
                    .append(indent).append("    always_run: true\n")
                    .append(indent).append("    stages: [").append(legacy ? hook.replace("pre-", "") : hook).append("]\n");
        }
        return b.toString();
    }

    /**
     * Removes the {@code repo: local} entry {@link #installPreCommit} added from {@value #PRE_COMMIT_CONFIG}, keeping
     * the rest of its text and comments; a file left with no repos and nothing else is deleted. An entry that holds
     * other hooks besides mlv's is left alone, with an error saying so. Returns the file, or null when it has no mlv
     * hooks.
     */
    public static Path uninstallPreCommit(Path repoRoot) {
        Path file = preCommitConfig(new Git(repoRoot), repoRoot);
        if (!Files.exists(file)) return null;
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            com.fasterxml.jackson.databind.JsonNode before = DataConfig.YAML.readTree(text);
            if (!hasMlvHooks(before)) return null;
            List<String> lines = new ArrayList<>(List.of(text.split("\\R", -1)));
            String manually = "remove its mlv-* hooks yourself";
            int[] item = mlvItem(lines);
            if (item == null) throw new MlvException(ErrorCode.INVALID_STATE, "mlv did not write the entry of its hooks in "
                    + PRE_COMMIT_CONFIG + " as it is now (other hooks share it, or it was edited): " + manually);
            lines.subList(item[0], item[1]).clear();
            String next = String.join("\n", lines);
            if (next.strip().equals("repos:")) { // the file install made, nothing else in it
                Files.delete(file);
                return file;
            }
            com.fasterxml.jackson.databind.JsonNode after = DataConfig.YAML.readTree(next);
            if (after != null && after.path("repos").isNull()) { // no repos left: an empty list, as pre-commit wants
                next = next.replaceFirst("(?m)^repos:[ \\t]*$", "repos: []");
                after = DataConfig.YAML.readTree(next);
            }
            if (after == null || after.path("repos").size() != before.path("repos").size() - 1
                    || after.path("repos").findValuesAsText("id").stream().anyMatch(id -> id.startsWith("mlv-"))) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Cannot remove mlv's hooks from " + PRE_COMMIT_CONFIG + " safely: " + manually);
            }
            AtomicFiles.write(file, next.getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw MlvException.invalid("Cannot read " + file + ": " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
        }
    }

    /** {@value #PRE_COMMIT_CONFIG} at the top of the work tree {@code git} is in. */
    private static Path preCommitConfig(Git git, Path repoRoot) {
        Path top = git.repositoryRoot();
        if (top == null) throw new MlvException(ErrorCode.INVALID_STATE, repoRoot + " is not in a git repository: run 'git init' first");
        return top.resolve(PRE_COMMIT_CONFIG);
    }

    /** Whether a parsed {@value #PRE_COMMIT_CONFIG} (null when empty) names mlv's hooks. */
    private static boolean hasMlvHooks(com.fasterxml.jackson.databind.JsonNode config) {
        return config != null && config.path("repos").findValuesAsText("id").contains("mlv-pre-commit");
    }

    /**
     * The lines {@code [from, to)} of the {@code - repo: local} item whose hooks are exactly mlv's three (the item ends
     * at the first line, not blank, that is not indented deeper than its dash; blank lines after it stay), else null.
     */
    private static int[] mlvItem(List<String> lines) {
        var itemStart = java.util.regex.Pattern.compile("(\\s*)- repo: local\\s*");
        var hookId = java.util.regex.Pattern.compile("\\s*- id: (\\S+)\\s*");
        for (int i = 0; i < lines.size(); i++) {
            var m = itemStart.matcher(lines.get(i));
            if (!m.matches()) continue;
            int depth = m.group(1).length();
            List<String> ids = new ArrayList<>();
            int end = i + 1;
            for (; end < lines.size(); end++) {
                String l = lines.get(end);
                if (!l.isBlank() && l.length() - l.stripLeading().length() <= depth) break;
                var id = hookId.matcher(l);
                if (id.matches()) ids.add(id.group(1));
            }
            while (end > i + 1 && lines.get(end - 1).isBlank()) end--;
            if (ids.equals(NAMES.stream().map(n -> "mlv-" + n).toList())) return new int[]{i, end};
        }
        return null;
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

    /**
     * The command that runs {@code hook}; hooks run at the top of the work tree, so {@code -C} names the mlv repository
     * below it.
     */
    private static String command(String launcher, String hook, String prefix) {
        String dir = prefix.isEmpty() ? "" : " -C " + shellQuoted(prefix);
        return shellQuoted(launcher) + " data git-hook" + dir + " " + hook;
    }

    /** {@link #command} as a git hook script runs it, with git's arguments. */
    private static String scriptCommand(String launcher, String hook, String prefix) {
        return command(launcher, hook, prefix) + " \"$@\"";
    }

    static String shellQuoted(String s) {
        return s.matches("[A-Za-z0-9_./:-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
