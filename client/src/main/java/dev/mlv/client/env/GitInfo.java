package dev.mlv.client.env;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The git state of a working directory: the commit of {@code HEAD} (read from {@code .git/HEAD}, loose refs and
 * {@code packed-refs}, without running git), the branch (null when detached), and whether tracked files have
 * uncommitted changes ({@code dirty}: asks {@code git status} when git is installed, else null = unknown).
 */
public record GitInfo(Path root, String commit, String branch, Boolean dirty) {

    /** The repository containing {@code start} (searching parent folders), if any and if HEAD names a commit. */
    public static Optional<GitInfo> find(Path start) {
        return find(start, true);
    }

    /** Like {@link #find(Path)}; {@code checkDirty=false} skips running {@code git status}. */
    public static Optional<GitInfo> find(Path start, boolean checkDirty) {
        try {
            for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
                Path dotGit = dir.resolve(".git");
                if (Files.isDirectory(dotGit) || Files.isRegularFile(dotGit)) {
                    Path gitDir = gitDir(dir, dotGit);
                    if (gitDir == null) return Optional.empty();
                    return read(dir, gitDir, checkDirty);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable repository: no git information rather than a failed run
        }
        return Optional.empty();
    }

    private static Path gitDir(Path root, Path dotGit) throws IOException {
        if (Files.isDirectory(dotGit)) return dotGit;
        // a worktree or submodule: ".git" is a file "gitdir: <path>"
        String s = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
        if (!s.startsWith("gitdir:")) return null;
        Path p = Path.of(s.substring("gitdir:".length()).trim());
        return p.isAbsolute() ? p : root.resolve(p).normalize();
    }

    private static Optional<GitInfo> read(Path root, Path gitDir, boolean checkDirty) throws IOException {
        Path head = gitDir.resolve("HEAD");
        if (!Files.isRegularFile(head)) return Optional.empty();
        String h = Files.readString(head, StandardCharsets.UTF_8).trim();
        Path common = commonDir(gitDir);
        String commit;
        String branch = null;
        if (h.startsWith("ref:")) {
            String ref = h.substring(4).trim();
            if (ref.startsWith("refs/heads/")) branch = ref.substring("refs/heads/".length());
            commit = resolveRef(gitDir, common, ref);
        } else {
            commit = h;
        }
        if (commit == null || !commit.matches("[0-9a-f]{40}([0-9a-f]{24})?")) return Optional.empty();
        return Optional.of(new GitInfo(root, commit, branch, checkDirty ? dirty(root) : null));
    }

    private static Path commonDir(Path gitDir) throws IOException {
        Path f = gitDir.resolve("commondir");
        if (!Files.isRegularFile(f)) return gitDir;
        Path p = Path.of(Files.readString(f, StandardCharsets.UTF_8).trim());
        return p.isAbsolute() ? p : gitDir.resolve(p).normalize();
    }

    private static String resolveRef(Path gitDir, Path common, String ref) throws IOException {
        for (int depth = 0; depth < 10; depth++) {
            String value = null;
            for (Path base : List.of(gitDir, common)) {
                Path loose = base.resolve(ref);
                if (Files.isRegularFile(loose)) {
                    value = Files.readString(loose, StandardCharsets.UTF_8).trim();
                    break;
                }
            }
            if (value == null) return packedRef(common, ref);
            if (!value.startsWith("ref:")) return value;
            ref = value.substring(4).trim();
        }
        return null;
    }

    private static String packedRef(Path common, String ref) throws IOException {
        Path packed = common.resolve("packed-refs");
        if (!Files.isRegularFile(packed)) return null;
        for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.startsWith("^")) continue;
            int sp = line.indexOf(' ');
            if (sp > 0 && line.substring(sp + 1).trim().equals(ref)) return line.substring(0, sp);
        }
        return null;
    }

    /** True when tracked files differ from HEAD; null when git is not installed or does not answer in time. */
    static Boolean dirty(Path root) {
        Process p = null;
        try {
            p = new ProcessBuilder("git", "-C", root.toString(), "status", "--porcelain", "--untracked-files=no")
                    .redirectErrorStream(false).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out.length > 0;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (p != null) p.destroy();
        }
    }
}
