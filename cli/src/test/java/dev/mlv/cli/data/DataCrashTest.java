package dev.mlv.cli.data;

import dev.mlv.data.Digests;
import dev.mlv.data.PointerFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.mlv.cli.data.DataTestKit.deleteTree;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static dev.mlv.cli.data.DataTestKit.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash safety: a separate JVM running {@code add} then {@code push} on a tree is killed with SIGKILL at random
 * moments, 20 times. After every kill the workspace data is intact and any pointer file parses; at the end fsck finds
 * nothing corrupt, every remote object matches its name, a rerun completes and a pull from the remote restores the
 * exact bytes.
 */
class DataCrashTest {
    static final int KILLS = 20;
    @TempDir
    Path tmp;

    @Test
    void sigkillAtRandomMomentsNeverCorruptsAnything() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "crash");
        mlv(repo, "remote add", "origin", tmp.resolve("remote").toString(), "--default").ok();
        Random rnd = new Random(20261126L);
        for (int i = 0; i < 300; i++) {
            Path f = repo.resolve("dataset/d" + (i % 16) + "/f" + i + ".bin");
            Files.createDirectories(f.getParent());
            byte[] b = new byte[1024 + rnd.nextInt(3072)];
            rnd.nextBytes(b);
            Files.write(f, b);
        }
        byte[] big = new byte[8 << 20];
        rnd.nextBytes(big);
        Files.write(repo.resolve("big.bin"), big);
        big = null;
        Map<String, String> original = tree(repo, "dataset", "big.bin");

        long fullRun = runDriver(repo, Long.MAX_VALUE);
        assertThat(fullRun).isPositive();
        int killed = 0;
        boolean lastCompleted = true;
        for (int attempt = 0; killed < KILLS && attempt < 3 * KILLS; attempt++) {
            if (lastCompleted) reset(repo);
            long delay = fullRun / 4 + (long) (rnd.nextDouble() * fullRun * 3 / 4);
            long took = runDriver(repo, delay);
            lastCompleted = took >= 0;
            if (!lastCompleted) killed++;
            assertThat(tree(repo, "dataset", "big.bin")).as("workspace data after kill %d", killed).isEqualTo(original);
            for (String p : List.of("dataset.mlv", "big.bin.mlv")) {
                if (Files.exists(repo.resolve(p))) PointerFile.read(repo.resolve(p)); // whole, or not there
            }
        }
        assertThat(killed).isEqualTo(KILLS);

        DataTestKit.Result fsck = mlv(repo, "fsck").ok();
        assertThat(fsck.out()).contains(" 0 corrupt");
        assertRemoteObjectsMatchTheirNames(tmp.resolve("remote"));
        mlv(repo, "add", "dataset", "big.bin").ok();
        mlv(repo, "push").ok();
        assertThat(mlv(repo, "status", "--remote").ok().out()).contains("has every object");
        deleteTree(repo.resolve(".mlv/cache"));
        deleteTree(repo.resolve("dataset"));
        Files.delete(repo.resolve("big.bin"));
        mlv(repo, "pull").ok();
        assertThat(tree(repo, "dataset", "big.bin")).isEqualTo(original);
    }

    /** Runs the driver; kills it after {@code killAfterMs}. Returns its run time, or -1 when it was killed. */
    static long runDriver(Path repo, long killAfterMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                CrashDriver.class.getName(), repo.toString(), "dataset", "big.bin"));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean done = killAfterMs == Long.MAX_VALUE ? p.waitFor(300, TimeUnit.SECONDS) : p.waitFor(killAfterMs, TimeUnit.MILLISECONDS);
        if (!done) {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
            return -1;
        }
        assertThat(p.exitValue()).as("driver exit code").isZero();
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Forgets everything mlv did, so the next run has the whole add and push to do again. */
    static void reset(Path repo) throws Exception {
        deleteTree(repo.resolve(".mlv/cache"));
        Files.deleteIfExists(repo.resolve(".mlv/state.db"));
        Files.deleteIfExists(repo.resolve(".mlv/state.db-wal"));
        Files.deleteIfExists(repo.resolve(".mlv/state.db-shm"));
        deleteTree(repo.getParent().resolve("remote"));
        Files.deleteIfExists(repo.resolve("dataset.mlv"));
        Files.deleteIfExists(repo.resolve("big.bin.mlv"));
    }

    static void assertRemoteObjectsMatchTheirNames(Path remote) throws Exception {
        if (!Files.exists(remote)) return;
        try (Stream<Path> s = Files.walk(remote)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String name = p.getParent().getFileName().toString() + p.getFileName();
                if (name.startsWith(".") || p.getFileName().toString().startsWith(".")) continue; // temp files are never objects
                assertThat(Digests.isValid(name)).as(p.toString()).isTrue();
                assertThat(Digests.sha256(Files.readAllBytes(p))).as(p.toString()).isEqualTo(Digests.hexPart(name));
            }
        }
    }
}
