package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads pointer files from git history by running {@code git} (ls-tree, cat-file, log) in the repository; clones
 * and reads other repositories for {@code mlv data get}.
 */
public final class Git {
    private static final Pattern REV = Pattern.compile("[A-Za-z0-9._/@{}~^:-]{1,200}");
    private final Path dir;

    public Git(Path dir) {
        this.dir = dir;
    }

    /** A commit of history: full id, commit time in seconds, subject line. */
    public record Commit(String id, long time, String subject) {
    }

    /** Throws {@code INVALID_PARAMETER_VALUE} for a revision that is not one git can name (or that looks like an option). */
    public static String requireRevision(String rev) {
        if (rev == null || !REV.matcher(rev).matches() || rev.startsWith("-")) {
            throw MlvException.invalid("Invalid git revision '" + rev + "'");
        }
        return rev;
    }

    /** The pointer files ({@code *.mlv}) at {@code rev} below this directory: path relative to it → blob id. */
    public Map<String, String> pointersAt(String rev) {
        String out = text(run(null, "ls-tree", "-r", "-z", requireRevision(rev) + "^{tree}", "--", "."));
        Map<String, String> m = new LinkedHashMap<>();
        for (String rec : out.split("\0")) {
            if (rec.isEmpty()) continue;
            int tab = rec.indexOf('\t');
            String[] meta = rec.substring(0, tab).split(" ");
            String path = rec.substring(tab + 1);
            if (meta[1].equals("blob") && path.endsWith(PointerFile.SUFFIX)) m.put(path, meta[2]);
        }
        return m;
    }

    /** An entry of a git tree: its path from the top, whether it is a folder (or a submodule), a file's size. */
    public record TreeEntry(String path, boolean directory, long size) {
    }

    /**
     * What the folder {@code path} ({@code ""}: the top) holds at {@code commit}: its files and folders, or with
     * {@code recursive} every file below it, in git's order; empty when there is no such folder there.
     */
    public List<TreeEntry> tree(String commit, String path, boolean recursive) {
        List<String> args = new ArrayList<>(List.of("ls-tree", "-z", "-l"));
        if (recursive) args.add("-r");
        args.add(requireRevision(commit) + "^{tree}");
        if (!path.isEmpty()) args.addAll(List.of("--", path + "/"));
        List<TreeEntry> entries = new ArrayList<>();
        for (String rec : text(run(null, args.toArray(String[]::new))).split("\0")) {
            if (rec.isEmpty()) continue;
            int tab = rec.indexOf('\t');
            String[] meta = rec.substring(0, tab).trim().split(" +");
            boolean blob = meta[1].equals("blob");
            entries.add(new TreeEntry(rec.substring(tab + 1), !blob, blob ? Long.parseLong(meta[3]) : 0));
        }
        return entries;
    }

    /** The contents of many blobs in one {@code git cat-file --batch}. */
    public Map<String, byte[]> blobs(Collection<String> ids) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (ids.isEmpty()) return out;
        StringBuilder in = new StringBuilder();
        for (String id : ids) in.append(id).append('\n');
        byte[] all = run(in.toString().getBytes(StandardCharsets.UTF_8), "cat-file", "--batch");
        int pos = 0;
        for (String id : ids) {
            int nl = indexOf(all, (byte) '\n', pos);
            String header = new String(all, pos, nl - pos, StandardCharsets.UTF_8);
            String[] h = header.split(" ");
            pos = nl + 1;
            if (h.length < 3) continue; // missing
            int size = Integer.parseInt(h[2]);
            byte[] content = new byte[size];
            System.arraycopy(all, pos, content, 0, size);
            out.put(id, content);
            pos += size + 1;
        }
        return out;
    }

    /**
     * The blob ids of every pointer file ({@code *.mlv}, anywhere in the git repository) in any commit reachable from
     * any ref (branches, tags, stash…), read with one {@code git log}: each such blob entered history as the new side
     * of some commit's diff against a parent (every parent of a merge, {@code -m}), or in a root commit.
     */
    public java.util.Set<String> pointerBlobsInHistory() {
        byte[] raw = run(null, "log", "--all", "-m", "--root", "--no-renames", "--raw", "--no-abbrev", "-z", "--format=");
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        String[] fields = text(raw).split("\0");
        for (int i = 0; i + 1 < fields.length; i++) {
            String meta = fields[i].strip(); // ":100644 100644 <old> <new> M", then the path in the next field
            if (!meta.startsWith(":")) continue;
            String path = fields[++i];
            String[] m = meta.split(" ");
            if (m.length >= 5 && path.endsWith(PointerFile.SUFFIX) && !m[3].matches("0+")) out.add(m[3]);
        }
        return out;
    }

    /** The commits that changed {@code path} (relative to this directory), newest first. */
    public List<Commit> log(String path) {
        List<Commit> out = new ArrayList<>();
        String s = text(run(null, "log", "--format=%H%x01%ct%x01%s%x02", "--", path));
        for (String rec : s.split("\u0002")) {
            String r = rec.strip();
            if (r.isEmpty()) continue;
            String[] f = r.split("\u0001", 3);
            out.add(new Commit(f[0], Long.parseLong(f[1]), f.length > 2 ? f[2] : ""));
        }
        return out;
    }

    /** The bytes of {@code path} (relative to this directory) at {@code rev}, or null when it does not exist there. */
    public byte[] show(String rev, String path) {
        try {
            return run(null, "show", requireRevision(rev) + ":./" + path);
        } catch (MlvException e) {
            return null;
        }
    }

    /**
     * Where git keeps {@code name} for this work tree ({@code git rev-parse --git-path}): {@code hooks} follows
     * {@code core.hooksPath}, and a linked work tree's own files are found too. Null outside a git repository.
     */
    public Path gitPath(String name) {
        Exec r = exec(null, Map.of(), "rev-parse", "--git-path", name);
        String p = text(r.out()).strip();
        return r.code() != 0 || p.isEmpty() ? null : dir.resolve(p).normalize();
    }

    /** {@code git add} of {@code present} and {@code git rm --cached} of {@code deleted} (paths relative to this folder). */
    public void stage(List<String> present, List<String> deleted) {
        if (!present.isEmpty()) run(null, concat(List.of("add", "--"), present));
        if (!deleted.isEmpty()) run(null, concat(List.of("rm", "--cached", "--ignore-unmatch", "-q", "--"), deleted));
    }

    private static String[] concat(List<String> head, List<String> tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(tail);
        return all.toArray(String[]::new);
    }

    /** This folder relative to the top of its work tree ({@code git rev-parse --show-prefix}): "" at the top. */
    public String prefix() {
        return text(run(null, "rev-parse", "--show-prefix")).strip();
    }

    // ------------------------------------------------------------------ repositories elsewhere (mlv data get)

    /**
     * The repository this directory is: the top of its work tree, or the directory itself for a bare repository;
     * null when git does not see a repository here. A directory inside a work tree answers with that work tree's top.
     */
    public Path repositoryRoot() {
        Exec bare = exec(null, Map.of(), "rev-parse", "--is-bare-repository");
        if (bare.code() != 0) return null;
        if (text(bare.out()).strip().equals("true")) return dir;
        Exec top = exec(null, Map.of(), "rev-parse", "--show-toplevel");
        String t = text(top.out()).strip();
        return top.code() != 0 || t.isEmpty() ? null : Path.of(t);
    }

    /**
     * {@code git clone --no-checkout} of {@code url} (a path or any URL git understands) into {@code dest}, which
     * must not exist; {@code shallow}: only the newest commit of the default branch. Never prompts for credentials.
     * A failure is {@code INVALID_PARAMETER_VALUE} with git's reason.
     */
    public static Git cloneInto(String url, Path dest, boolean shallow) {
        List<String> args = new ArrayList<>(List.of("clone", "--no-checkout", "--quiet"));
        if (shallow) args.addAll(List.of("--depth", "1"));
        args.addAll(List.of("--", url, dest.toString()));
        Exec r = new Git(dest.toAbsolutePath().getParent()).exec(null, Map.of("GIT_TERMINAL_PROMPT", "0"), args.toArray(String[]::new));
        if (r.code() != 0) {
            throw MlvException.invalid("Cannot clone '" + url + "': " + firstFatal(r.err(), "git clone failed"));
        }
        return new Git(dest);
    }

    /** The full id of the commit {@code rev} names (a commit, tag or branch), or null when it names none. */
    public String commitOf(String rev) {
        Exec r = exec(null, Map.of(), "rev-parse", "--verify", "--quiet", requireRevision(rev) + "^{commit}");
        String id = text(r.out()).strip();
        return r.code() == 0 && !id.isEmpty() ? id : null;
    }

    /**
     * The full id of the commit {@code rev} (a branch, a tag or HEAD) names now in the repository at {@code url}, asked
     * with {@code git ls-remote} without cloning (an annotated tag gives the commit it points at); null when it names
     * none there. Never prompts for credentials; an unreachable repository is {@code INVALID_PARAMETER_VALUE} with
     * git's reason.
     */
    public static String remoteCommitOf(String url, String rev, Path workDir) {
        Exec r = new Git(workDir).exec(null, Map.of("GIT_TERMINAL_PROMPT", "0"), "ls-remote", "--", url, requireRevision(rev));
        if (r.code() != 0) throw MlvException.invalid("Cannot read '" + url + "': " + firstFatal(r.err(), "git ls-remote failed"));
        String found = null;
        for (String line : text(r.out()).split("\\R")) {
            String[] f = line.split("\t");
            if (f.length != 2) continue;
            if (f[1].endsWith("^{}")) return f[0]; // the commit an annotated tag points at
            if (found == null) found = f[0];
        }
        return found;
    }

    /** The bytes of the file {@code path} (relative to the repository's top) in {@code commit}, or null when there is none. */
    public byte[] fileAt(String commit, String path) {
        Exec r = exec(null, Map.of(), "cat-file", "blob", requireRevision(commit) + ":" + path);
        return r.code() == 0 ? r.out() : null;
    }

    /** git's first {@code fatal:} line (the cause; later ones are advice), else its last line. */
    private static String firstFatal(byte[] err, String fallback) {
        String[] lines = text(err).strip().split("\\R");
        for (String l : lines) if (l.startsWith("fatal:")) return l.substring("fatal:".length()).strip();
        for (int i = lines.length - 1; i >= 0; i--) if (!lines[i].isBlank()) return lines[i].strip();
        return fallback;
    }

    // ------------------------------------------------------------------ running git

    private record Exec(int code, byte[] out, byte[] err) {
    }

    private byte[] run(byte[] stdin, String... args) {
        Exec r = exec(stdin, Map.of(), args);
        if (r.code() != 0) {
            throw new MlvException(ErrorCode.INVALID_PARAMETER_VALUE, "git " + String.join(" ", args) + " failed: "
                    + text(r.err()).strip());
        }
        return r.out();
    }

    private Exec exec(byte[] stdin, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            Thread feeder = null;
            if (stdin != null) {
                feeder = new Thread(() -> {
                    try (OutputStream o = p.getOutputStream()) {
                        o.write(stdin);
                    } catch (IOException ignored) {
                        // git exited early; its exit code tells
                    }
                });
                feeder.start();
            } else {
                p.getOutputStream().close();
            }
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errReader = new Thread(() -> {
                try (InputStream e = p.getErrorStream()) {
                    e.transferTo(err);
                } catch (IOException ignored) {
                    // nothing to report
                }
            });
            errReader.start();
            byte[] out;
            try (InputStream o = p.getInputStream()) {
                out = o.readAllBytes();
            }
            int code = p.waitFor();
            errReader.join();
            if (feeder != null) feeder.join();
            return new Exec(code, out, err.toByteArray());
        } catch (IOException e) {
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot run git (is it installed?): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted");
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return a.length;
    }
}
