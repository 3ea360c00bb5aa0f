package dev.mlv.bench;

import dev.mlv.client.data.HttpRemote;
import dev.mlv.data.DataRepo;
import dev.mlv.data.LocalRemote;
import dev.mlv.data.Progress;
import dev.mlv.data.Remote;
import dev.mlv.data.state.SqliteStateCache;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code mlv data} against what the work needs at least, timed on the same files in the same run:
 * <ol>
 *   <li>{@code add} of one large file (default 1 GiB) vs {@code openssl dgst -sha256 FILE} + {@code cp FILE};</li>
 *   <li>{@code add} of N files of 4 KiB (default 100,000) vs {@code find|xargs openssl dgst -sha256} + {@code cp -r};</li>
 *   <li>{@code status} with nothing changed vs {@code find -type f -printf '%s %T@\n'};</li>
 *   <li>{@code push} and {@code pull} of the tree to a local remote vs {@code cp -r};</li>
 *   <li>for context, without a goal: push and fetch of the tree to an in-process mlv server.</li>
 * </ol>
 * The disk of these machines is noisy (the same {@code cp -r} takes 6 s in one run and 11 s in the next), so add, push
 * and pull run in several rounds (default 3), mlv and its baseline in turn, the one that goes first alternating; each
 * line prints the medians, and the verdict is on the median of the rounds' ratios. The mlv operations run in this JVM
 * (the CLI adds its JVM start, printed separately as {@code jvm-start}); status is also timed as the command a user
 * runs, {@code ./mlv data status}.
 * Options: {@code -Dbench.dir}, {@code -Dbench.bigMiB=1024}, {@code -Dbench.files=100000} (0 skips a part),
 * {@code -Dbench.rounds=3}.
 */
public final class DataBench {
    private DataBench() {
    }

    /** One round: mlv's time, the baseline's, and what making the baseline's copy durable (as mlv's is) adds. */
    record Round(double mlv, double baseline, double flush) {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("bench.dir", "/tmp")).resolve("data-bench").toAbsolutePath();
        int bigMiB = Integer.getInteger("bench.bigMiB", 1024);
        int files = Integer.getInteger("bench.files", 100_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        deleteTree(base);
        trash = Files.createDirectories(base.resolve("trash"));
        try {
            if (bigMiB > 0) bigFile(base.resolve("big"), bigMiB, rounds);
            if (files > 0) manyFiles(base.resolve("many"), files, rounds);
        } finally {
            deleteTree(base);
        }
    }

    static void bigFile(Path dir, int mib, int rounds) throws Exception {
        Path repo = DataRepo.init(Files.createDirectories(dir.resolve("repo")));
        Path file = repo.resolve("big.bin");
        writeRandom(file, (long) mib << 20);
        sh("sync");
        Path copy = dir.resolve("copy.bin");
        List<Round> r = rounds(rounds, () -> {
            double t = time(() -> sh("openssl", "dgst", "-sha256", file.toString()))
                    + time(() -> sh("cp", file.toString(), copy.toString()));
            double flush = time(() -> sh("sync", "-f", dir.toString()));
            discard(copy);
            return new double[]{t, flush};
        }, () -> add(repo, file), () -> untrack(repo, file));
        report("add " + mib + " MiB file", r, "openssl dgst + cp", 1.0);
        deleteTree(dir);
    }

    static void manyFiles(Path dir, int n, int rounds) throws Exception {
        Path repo = DataRepo.init(Files.createDirectories(dir.resolve("repo")));
        Path data = repo.resolve("tree");
        Random rnd = new Random(1);
        byte[] b = new byte[4096];
        for (int i = 0; i < n; i++) {
            Path f = data.resolve("d" + (i % 100)).resolve("f" + i + ".bin");
            if (i < 100) Files.createDirectories(f.getParent());
            rnd.nextBytes(b);
            Files.write(f, b);
        }
        sh("sync");
        Path copy = dir.resolve("copy");
        List<Round> added = rounds(rounds, () -> {
            double t = time(() -> sh("sh", "-c", "find '" + data + "' -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"))
                    + time(() -> sh("cp", "-r", data.toString(), copy.toString()));
            double flush = time(() -> sh("sync", "-f", dir.toString()));
            discard(copy);
            return new double[]{t, flush};
        }, () -> add(repo, data), () -> untrack(repo, data));
        report("add " + n + " x 4 KiB", added, "find|xargs openssl + cp -r", 1.0);
        add(repo, data); // tracked from here on

        // status is quick: the median of 5 runs of each, baseline and mlv taken in turn
        sh("./mlv", "--version"); // (re)builds the CLI and its start-up archive if needed, outside the timing
        List<Double> stat = new ArrayList<>(), status = new ArrayList<>(), cli = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stat.add(time(() -> sh("sh", "-c", "find '" + data + "' -type f -printf '%s %T@\\n' > /dev/null")));
            status.add(time(() -> {
                try (DataRepo r = open(repo)) {
                    if (!r.status(r.targets(List.of())).isEmpty()) throw new IllegalStateException("status should be clean");
                }
                return 0;
            }));
            cli.add(time(() -> sh("./mlv", "data", "status", "-C", repo.toString())));
        }
        report("status, nothing changed", List.of(new Round(median(status), median(stat), 0)), "find -printf stat walk", 3.0);
        report("  ./mlv data status", List.of(new Round(median(cli), median(stat), 0)), "find -printf stat walk", 3.0);

        // each round: cp -r, a push to an empty remote, and a pull into an empty cache and workspace from it
        Path remote = dir.resolve("remote");
        List<Round> pushed = new ArrayList<>(), pulled = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            double cpr = time(() -> sh("cp", "-r", data.toString(), copy.toString()));
            discard(copy);
            sh("sync");
            double push = time(() -> {
                try (DataRepo r = open(repo); Remote rem = new LocalRemote(remote)) {
                    if (!r.push(rem, r.targets(List.of())).ok()) throw new IllegalStateException("push failed");
                }
                return 0;
            });
            discard(repo.resolve(".mlv/cache"));
            discard(data);
            sh("sync");
            double pull = time(() -> {
                try (DataRepo r = open(repo); Remote rem = new LocalRemote(remote)) {
                    var t = r.targets(List.of());
                    if (!r.fetch(rem, t).ok()) throw new IllegalStateException("fetch failed");
                    r.checkout(t, false);
                }
                return 0;
            });
            discard(remote);
            sh("sync");
            pushed.add(new Round(push, cpr, 0));
            pulled.add(new Round(pull, cpr, 0));
        }
        report("push to local remote", pushed, "cp -r", 1.5);
        report("pull from local remote", pulled, "cp -r", 1.5);
        serverRemote(dir, repo, n);
        double jvm = time(() -> sh("./mlv", "data", "--help"));
        System.out.printf("  jvm-start  %.2f s  (./mlv data --help: what running a data command as a fresh JVM adds to each number above)%n", jvm);
    }

    /**
     * Context, no goal: one push of the tree to an in-process mlv server (artifacts on local files, under the
     * benchmark's folder) and one fetch from it into an empty cache, in objects per second.
     */
    static void serverRemote(Path dir, Path repo, int n) throws Exception {
        try (MlvServer server = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir.resolve("server"), null, null))) {
            double push = time(() -> {
                try (DataRepo r = open(repo); Remote rem = new HttpRemote(server.url())) {
                    if (!r.push(rem, r.targets(List.of())).ok()) throw new IllegalStateException("push failed");
                }
                return 0;
            });
            discard(repo.resolve(".mlv/cache"));
            sh("sync");
            double fetch = time(() -> {
                try (DataRepo r = open(repo); Remote rem = new HttpRemote(server.url())) {
                    if (!r.fetch(rem, r.targets(List.of())).ok()) throw new IllegalStateException("fetch failed");
                }
                return 0;
            });
            System.out.printf("  context: an mlv server as remote (in process): push %.2f s (%.0f objects/s), fetch into an "
                    + "empty cache %.2f s (%.0f objects/s)%n", push, n / push, fetch, n / fetch);
        }
    }

    /**
     * {@code n} rounds of {@code baseline} (its time and its flush time) and {@code mlv}, the first of the two
     * alternating, with {@code reset} after each mlv run and a sync after each part.
     */
    static List<Round> rounds(int n, Callable<double[]> baseline, Callable<?> mlv, Callable<?> reset) throws Exception {
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] b = null;
            double m = 0;
            for (int part = 0; part < 2; part++) {
                if ((part + i) % 2 == 0) {
                    b = baseline.call();
                } else {
                    m = time(mlv);
                    reset.call();
                }
                sh("sync");
            }
            rounds.add(new Round(m, b[0], b[1]));
        }
        return rounds;
    }

    static Object add(Path repo, Path data) {
        try (DataRepo r = open(repo)) {
            r.add(List.of(data.toString()));
        }
        return null;
    }

    /** Makes {@code data} untracked again, as before its add: no pointer, no .gitignore entry, an empty cache and state. */
    static Object untrack(Path repo, Path data) throws IOException {
        Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".mlv"));
        Files.deleteIfExists(repo.resolve(".gitignore"));
        discard(repo.resolve(".mlv"));
        DataRepo.init(repo);
        return null;
    }

    /** Where {@link #discard} puts trees, under the benchmark's folder. */
    private static Path trash;

    /**
     * Moves {@code p} out of the way, into a folder deleted only at the end. Deleting trees between timings would skew
     * them: on ext4 without a journal (as here) the inode allocator skips inodes freed in the last minute, one check
     * each, so files created soon after 100,000 were deleted cost several times more (a {@code cp -r} of the tree took
     * 6 s, and 42 to 61 s right after such a delete).
     */
    static void discard(Path p) throws IOException {
        Files.move(p, trash.resolve(Long.toString(System.nanoTime())));
    }

    static DataRepo open(Path repo) {
        return DataRepo.open(repo, "bench", SqliteStateCache::inDirectory, Progress.SILENT);
    }

    /** Medians of the rounds, each round's ratio, and the verdict on their median; with flush times, the durable ratio too. */
    static void report(String what, List<Round> rounds, String baselineName, double goal) {
        List<Double> ratios = rounds.stream().map(r -> r.mlv() / r.baseline()).toList();
        double ratio = median(ratios);
        System.out.printf("%-28s mlv %7.2f s   %-28s %7.2f s   ratio %.2fx (goal <= %.1fx) %s%n", what,
                median(rounds.stream().map(Round::mlv).toList()), baselineName, median(rounds.stream().map(Round::baseline).toList()),
                ratio, goal, ratio <= goal ? "OK" : "MISSED");
        if (rounds.size() > 1) {
            System.out.printf("    rounds' ratios: %s%n", String.join(" ", ratios.stream().map(x -> String.format("%.2f", x)).toList()));
        }
        if (rounds.get(0).flush() > 0) {
            System.out.printf("    making the baseline's copy durable, as mlv's cache objects are, adds sync -f %.2f s (median): "
                            + "mlv / (baseline + sync) = %.2fx (median of rounds)%n", median(rounds.stream().map(Round::flush).toList()),
                    median(rounds.stream().map(r -> r.mlv() / (r.baseline() + r.flush())).toList()));
        }
    }

    static double median(List<Double> xs) {
        List<Double> sorted = new ArrayList<>(xs);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    static double time(Callable<?> c) throws Exception {
        long t = System.nanoTime();
        c.call();
        return (System.nanoTime() - t) / 1e9;
    }

    static int sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int code = p.waitFor();
        if (code != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + code);
        return code;
    }

    static void writeRandom(Path f, long size) throws IOException {
        Random rnd = new Random(7);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(f)) {
            for (long done = 0; done < size; done += buf.length) {
                rnd.nextBytes(buf);
                out.write(buf, 0, (int) Math.min(buf.length, size - done));
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
