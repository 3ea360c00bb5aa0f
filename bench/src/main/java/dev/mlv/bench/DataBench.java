package dev.mlv.bench;

import dev.mlv.data.DataRepo;
import dev.mlv.data.LocalRemote;
import dev.mlv.data.Progress;
import dev.mlv.data.Remote;
import dev.mlv.data.state.SqliteStateCache;

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
 *   <li>{@code push} and {@code pull} of the tree to a local remote vs {@code cp -r}.</li>
 * </ol>
 * The mlv operations run in this JVM (the CLI adds its JVM start, printed separately as {@code jvm-start}); status is
 * also timed as the command a user runs, {@code ./mlv data status}.
 * Options: {@code -Dbench.dir}, {@code -Dbench.bigMiB=1024}, {@code -Dbench.files=100000} (0 skips a part).
 */
public final class DataBench {
    private DataBench() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(System.getProperty("bench.dir", "/tmp")).resolve("data-bench").toAbsolutePath();
        int bigMiB = Integer.getInteger("bench.bigMiB", 1024);
        int files = Integer.getInteger("bench.files", 100_000);
        deleteTree(base);
        Files.createDirectories(base);
        try {
            if (bigMiB > 0) bigFile(base.resolve("big"), bigMiB);
            if (files > 0) manyFiles(base.resolve("many"), files);
        } finally {
            deleteTree(base);
        }
    }

    static void bigFile(Path dir, int mib) throws Exception {
        Path repo = DataRepo.init(Files.createDirectories(dir.resolve("repo")));
        Path file = repo.resolve("big.bin");
        writeRandom(file, (long) mib << 20);
        sh("sync");
        double hash = time(() -> sh("openssl", "dgst", "-sha256", file.toString()));
        double cp = time(() -> sh("cp", file.toString(), dir.resolve("copy.bin").toString()));
        double flush = time(() -> sh("sync", "-f", dir.toString())); // what making the copy durable adds
        Files.delete(dir.resolve("copy.bin"));
        sh("sync");
        double add = time(() -> {
            try (DataRepo r = open(repo)) {
                r.add(List.of(file.toString()));
            }
            return 0;
        });
        report("add " + mib + " MiB file", add, "openssl dgst + cp", hash + cp, 1.0);
        System.out.printf("    (openssl %.2f s, cp %.2f s; making the copy durable, as mlv does its cache object, adds sync -f %.2f s:"
                + " mlv / (openssl + cp + sync) = %.2fx)%n", hash, cp, flush, add / (hash + cp + flush));
        deleteTree(dir);
    }

    static void manyFiles(Path dir, int n) throws Exception {
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
        double hash = time(() -> sh("sh", "-c", "find '" + data + "' -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null"));
        double cp = time(() -> sh("cp", "-r", data.toString(), dir.resolve("copy").toString()));
        double flush = time(() -> sh("sync", "-f", dir.toString()));
        deleteTree(dir.resolve("copy"));
        sh("sync");
        double add = time(() -> {
            try (DataRepo r = open(repo)) {
                r.add(List.of(data.toString()));
            }
            return 0;
        });
        report("add " + n + " x 4 KiB", add, "find|xargs openssl + cp -r", hash + cp, 1.0);
        System.out.printf("    (openssl %.2f s, cp -r %.2f s; sync -f after cp -r %.2f s: mlv / (openssl + cp -r + sync) = %.2fx)%n",
                hash, cp, flush, add / (hash + cp + flush));

        // status is quick and the disk noisy: the median of 5 runs of each, baseline and mlv taken in turn
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
        report("status, nothing changed", median(status), "find -printf stat walk", median(stat), 3.0);
        report("  ./mlv data status", median(cli), "find -printf stat walk", median(stat), 3.0);

        Path remote = dir.resolve("remote");
        double cpr = time(() -> sh("cp", "-r", data.toString(), dir.resolve("copy").toString()));
        deleteTree(dir.resolve("copy"));
        double push = time(() -> {
            try (DataRepo r = open(repo); Remote rem = new LocalRemote(remote)) {
                if (!r.push(rem, r.targets(List.of())).ok()) throw new IllegalStateException("push failed");
            }
            return 0;
        });
        report("push to local remote", push, "cp -r", cpr, 1.5);
        deleteTree(repo.resolve(".mlv/cache"));
        deleteTree(data);
        sh("sync");
        double pull = time(() -> {
            try (DataRepo r = open(repo); Remote rem = new LocalRemote(remote)) {
                var t = r.targets(List.of());
                if (!r.fetch(rem, t).ok()) throw new IllegalStateException("fetch failed");
                r.checkout(t, false);
            }
            return 0;
        });
        report("pull from local remote", pull, "cp -r", cpr, 1.5);
        double jvm = time(() -> sh("./mlv", "data", "--help"));
        System.out.printf("  jvm-start  %.2f s  (./mlv data --help: what running a data command as a fresh JVM adds to each number above)%n", jvm);
    }

    static DataRepo open(Path repo) {
        return DataRepo.open(repo, "bench", SqliteStateCache::inDirectory, Progress.SILENT);
    }

    static void report(String what, double mlv, String baselineName, double baseline, double goal) {
        double ratio = mlv / baseline;
        System.out.printf("%-28s mlv %7.2f s   %-28s %7.2f s   ratio %.2fx (goal <= %.1fx) %s%n", what, mlv, baselineName,
                baseline, ratio, goal, ratio <= goal ? "OK" : "MISSED");
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
