package dev.mlv.cli.data;

import dev.mlv.cli.Main;
import dev.mlv.data.Digests;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code mlv data} in-process in a folder, runs git, builds and compares trees. */
final class DataTestKit {
    private DataTestKit() {
    }

    record Result(int code, String out, String err) {
        Result ok() {
            assertThat(code).as("exit code; stdout=%s stderr=%s", out, err).isZero();
            return this;
        }
    }

    /** {@code mlv data <command> -C dir <args>}. */
    static Result mlv(Path dir, String command, String... args) {
        List<String> all = new ArrayList<>(List.of("data"));
        all.addAll(List.of(command.split(" ")));
        all.add("-C");
        all.add(dir.toString());
        all.addAll(List.of(args));
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code tmp/bin/mlv}: a launcher of this build for commands run as processes, as the ./mlv script runs the jar. */
    static Path launcher(Path tmp) throws IOException {
        Path script = tmp.resolve("bin/mlv");
        Files.createDirectories(script.getParent());
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(script, "#!/bin/sh\nexec '" + javaBin + "' -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "' dev.mlv.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    static String git(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=mlv test", "-c", "user.email=test@mlv.dev",
                "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as("git %s: %s", String.join(" ", args), out).isZero();
            return out.strip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh git repository with {@code mlv data init} done and committed. */
    static Path newRepo(Path parent, String name) throws IOException {
        Path repo = Files.createDirectories(parent.resolve(name));
        git(repo, "init", "-q", ".");
        mlv(repo, "init").ok();
        return repo;
    }

    /** A directory of {@code n} small files in nested folders plus one larger file; and a single file beside it. */
    static void makeData(Path repo, int n, long seed) throws IOException {
        Random rnd = new Random(seed);
        for (int i = 0; i < n; i++) {
            Path f = repo.resolve("dataset/part" + (i % 4) + "/file-" + i + ".txt");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "row " + i + " " + rnd.nextLong() + "\n");
        }
        byte[] big = new byte[(3 << 20) + 17];
        rnd.nextBytes(big);
        Files.write(repo.resolve("dataset/big.bin"), big);
        byte[] model = new byte[100_000];
        rnd.nextBytes(model);
        Files.write(repo.resolve("weights.bin"), model);
    }

    /** relative path → sha256 of every regular file under {@code dir} (not following into .git/.mlv). */
    static Map<String, String> tree(Path dir, String... roots) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String r : roots) {
            Path start = dir.resolve(r);
            if (!Files.exists(start)) continue;
            try (Stream<Path> s = Files.walk(start)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(p)) out.put(dir.relativize(p).toString(), Digests.sha256(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                f.toFile().setWritable(true);
                Files.delete(f);
            }
        }
    }

    /**
     * The full cycle against one remote: add a directory and a file → git commit → push → delete the cache and the
     * data → pull; the bytes are identical afterwards. Then a second clone of the git repository pulls too.
     */
    static void fullCycle(Path tmp, String remoteUrl) throws IOException {
        Path repo = newRepo(tmp, "work");
        makeData(repo, 60, 7);
        Map<String, String> before = tree(repo, "dataset", "weights.bin");
        assertThat(before).hasSize(62);
        mlv(repo, "add", "dataset", "weights.bin").ok();
        mlv(repo, "remote add", "origin", remoteUrl, "--default").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "data v1");
        assertThat(git(repo, "ls-files")).contains("dataset.mlv", "weights.bin.mlv", ".gitignore", ".mlv/config")
                .doesNotContain("dataset/", "big.bin");
        Result push = mlv(repo, "push").ok();
        assertThat(push.out()).contains("pushed 63 object(s)"); // 62 files + 1 manifest
        assertThat(mlv(repo, "push").ok().out()).contains("pushed 0 object(s)");
        assertThat(mlv(repo, "status", "--remote").ok().out()).contains("has every object");

        deleteTree(repo.resolve(".mlv/cache"));
        deleteTree(repo.resolve("dataset"));
        Files.delete(repo.resolve("weights.bin"));
        mlv(repo, "pull", "-j", "3").ok();
        assertThat(tree(repo, "dataset", "weights.bin")).isEqualTo(before);
        assertThat(mlv(repo, "status").ok().out()).contains("up to date");
        assertThat(mlv(repo, "fsck").ok().out()).contains("0 corrupt");

        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", repo.toString(), clone.toString());
        mlv(clone, "pull", "dataset/part1").ok(); // a subset of a directory
        assertThat(tree(clone, "dataset")).isEqualTo(subset(before, "dataset/part1/"));
        mlv(clone, "pull").ok();
        assertThat(tree(clone, "dataset", "weights.bin")).isEqualTo(before);

        // import-url --to-remote: the data goes to the remote only; pull brings it
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        makeData(outside, 9, 11);
        Map<String, String> source = tree(outside.resolve("dataset"), "part0", "part1", "part2", "part3", "big.bin");
        deleteTree(clone.resolve(".mlv/cache"));
        assertThat(mlv(clone, "import-url", outside.resolve("dataset").toString(), "lake", "--to-remote", "-j", "2").ok().out())
                .contains("'mlv data pull lake.mlv' brings it here");
        assertThat(clone.resolve("lake")).doesNotExist();
        assertThat(Files.readString(clone.resolve(".gitignore"))).contains("/lake");
        try (Stream<Path> s = Files.walk(clone.resolve(".mlv/cache"))) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty(); // nothing went through the cache
        }
        assertThat(mlv(clone, "push", "lake").ok().out()).contains("pushed 0 object(s)"); // the remote has it all
        mlv(clone, "pull", "lake").ok();
        assertThat(tree(clone.resolve("lake"), "part0", "part1", "part2", "part3", "big.bin")).isEqualTo(source).hasSize(10);
        assertThat(mlv(clone, "status").ok().out()).contains("up to date");
    }

    /**
     * A push whose cache lost two objects and holds one with the wrong size: everything else reaches the remote, the
     * failure names those three, the directory's manifest waits for them, and the next push sends nothing twice.
     */
    static void pushWithLostCacheObjects(Path tmp, String remoteUrl) throws IOException {
        Path repo = newRepo(tmp, "lost");
        makeData(repo, 40, 5);
        mlv(repo, "add", "dataset", "weights.bin").ok();
        mlv(repo, "remote add", "origin", remoteUrl, "--default").ok();
        List<String> digests = new ArrayList<>();
        List<Path> objects = new ArrayList<>();
        for (int i : new int[]{3, 17, 29}) {
            digests.add(Digests.sha256(Files.readAllBytes(repo.resolve("dataset/part" + (i % 4) + "/file-" + i + ".txt"))));
            objects.add(repo.resolve(".mlv/cache").resolve(Digests.relativePath(digests.get(digests.size() - 1))));
        }
        Files.delete(objects.get(0));
        Files.delete(objects.get(1));
        objects.get(2).toFile().setWritable(true);
        Files.write(objects.get(2), new byte[]{'x'}, java.nio.file.StandardOpenOption.APPEND);

        Result push = mlv(repo, "push");
        assertThat(push.code()).isNotZero();
        assertThat(push.out()).contains("pushed 39 object(s)"); // 42 files but 3, and no manifest
        assertThat(push.err()).contains("4 object(s) failed").contains(digests.get(0) + ": not in the local cache")
                .contains(digests.get(1) + ": not in the local cache").contains(digests.get(2) + ": the cache holds")
                .contains("run 'mlv data fsck'");
        Result again = mlv(repo, "push");
        assertThat(again.code()).isNotZero();
        assertThat(again.out()).contains("pushed 0 object(s), 0 bytes; 39 already there");
    }

    /**
     * {@code gc --cloud} against one remote: two committed versions pushed; the refusal without a terminal or
     * {@code --force}; a dry run that changes nothing; {@code -a} keeps both versions; {@code -w} removes exactly what
     * only the old version used (the current directory's manifest read from the remote, the cache being empty), after
     * which a fresh clone still pulls the current version whole. Returns the remote's object names before and after.
     */
    static void gcCloudCycle(Path tmp, String remoteUrl, java.util.function.Supplier<java.util.Set<String>> remoteObjects) throws IOException {
        Path repo = newRepo(tmp, "gc-cloud");
        Files.writeString(repo.resolve(".mlv/config"), Files.readString(repo.resolve(".mlv/config")).replace("gc_grace_seconds: 3600", "gc_grace_seconds: 0"));
        makeData(repo, 8, 3);
        mlv(repo, "remote add", "origin", remoteUrl, "--default").ok();
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "v1");
        mlv(repo, "push").ok();
        java.util.Set<String> v1 = remoteObjects.get();
        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "changed\n");
        Files.write(repo.resolve("weights.bin"), new byte[]{1, 2, 3});
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "commit", "-q", "-am", "v2");
        mlv(repo, "push").ok();
        Map<String, String> current = tree(repo, "dataset", "weights.bin");
        java.util.Set<String> both = remoteObjects.get();
        assertThat(both).hasSize(v1.size() + 3).containsAll(v1); // a new file, manifest and weights

        Result refused = mlv(repo, "gc", "-w", "--cloud");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("check with --dry-run, then run again with --force");
        assertThat(mlv(repo, "gc", "-w", "-f").err()).contains("-f/--force applies with --cloud only");
        Result dry = mlv(repo, "gc", "-w", "--cloud", "--dry-run").ok();
        assertThat(dry.out()).contains("would remove 3 object(s)", "from " + remoteUrl);
        assertThat(remoteObjects.get()).isEqualTo(both);
        assertThat(mlv(repo, "gc", "-a", "--cloud", "--force").ok().out()).contains("removed 0 object(s)");
        assertThat(remoteObjects.get()).isEqualTo(both);

        deleteTree(repo.resolve(".mlv/cache")); // the manifests are on the remote only now
        assertThat(mlv(repo, "gc", "-w", "--cloud", "-f").ok().out()).contains("removed 3 object(s)");
        java.util.Set<String> after = remoteObjects.get();
        assertThat(after).hasSize(both.size() - 3);
        java.util.Set<String> gone = new java.util.HashSet<>(both);
        gone.removeAll(after);
        assertThat(v1).containsAll(gone); // only what v1 alone used went

        // a pointer whose directory version is nowhere: its files cannot be told from garbage, so nothing goes
        Files.writeString(repo.resolve("ghost.mlv"), "outs:\n- path: ghost\n  hash: sha256\n  digest: " + "ab".repeat(32)
                + ".dir\n  size: 10\n  nfiles: 2\n");
        Result ghost = mlv(repo, "gc", "-w", "--cloud", "-f");
        assertThat(ghost.code()).isEqualTo(1);
        assertThat(ghost.err()).contains("their manifest neither in the cache nor on", "nothing was removed from the remote");
        assertThat(remoteObjects.get()).isEqualTo(after);
        Files.delete(repo.resolve("ghost.mlv"));

        Path clone = tmp.resolve("gc-cloud-clone");
        git(tmp, "clone", "-q", repo.toString(), clone.toString());
        mlv(clone, "pull").ok();
        assertThat(tree(clone, "dataset", "weights.bin")).isEqualTo(current);
    }

    static Map<String, String> subset(Map<String, String> m, String prefix) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k, v);
        });
        return out;
    }
}
