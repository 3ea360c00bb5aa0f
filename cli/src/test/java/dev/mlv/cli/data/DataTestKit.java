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

    static Map<String, String> subset(Map<String, String> m, String prefix) {
        Map<String, String> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith(prefix)) out.put(k, v);
        });
        return out;
    }
}
