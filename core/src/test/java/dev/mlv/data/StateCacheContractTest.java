package dev.mlv.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract every {@link StateCache} passes; one subclass per backend. */
public abstract class StateCacheContractTest {
    @TempDir
    protected Path tmp;
    private StateCache cache;

    /** A state cache over the storage in {@code dir}: a second call on the same folder sees what the first flushed. */
    protected abstract StateCache open(Path dir);

    static final StateCache.Stamp STAMP = new StateCache.Stamp("(dev=803,ino=12)", 1_700_000_000_123_456_789L, 42);
    static final String DIGEST = "a".repeat(64);

    @BeforeEach
    void openCache() {
        cache = open(tmp);
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    @Test
    void aLookupHitsOnlyTheExactPathAndStamp() {
        cache.record("data/a.csv", STAMP, DIGEST);
        assertThat(cache.lookup("data/a.csv", STAMP)).contains(DIGEST);
        assertThat(cache.lookup("data/b.csv", STAMP)).isEmpty();
        assertThat(cache.lookup("data/a.csv", new StateCache.Stamp("(dev=803,ino=13)", STAMP.mtimeNanos(), 42))).isEmpty();
        assertThat(cache.lookup("data/a.csv", new StateCache.Stamp(STAMP.inode(), STAMP.mtimeNanos() + 1, 42))).isEmpty();
        assertThat(cache.lookup("data/a.csv", new StateCache.Stamp(STAMP.inode(), STAMP.mtimeNanos(), 43))).isEmpty();
        cache.record("data/a.csv", new StateCache.Stamp(STAMP.inode(), STAMP.mtimeNanos() + 1, 42), "b".repeat(64));
        assertThat(cache.lookup("data/a.csv", STAMP)).isEmpty(); // replaced, not added
    }

    @Test
    void directoryStampsAreKeptPerPathAndReplaced() {
        assertThat(cache.directory("data")).isEmpty();
        cache.recordDirectory("data", new StateCache.DirectoryStamp(DIGEST, "2:ff"));
        cache.recordDirectory("other", new StateCache.DirectoryStamp("b".repeat(64), "1:ee"));
        assertThat(cache.directory("data")).contains(new StateCache.DirectoryStamp(DIGEST, "2:ff"));
        cache.flush();
        cache.recordDirectory("data", new StateCache.DirectoryStamp(DIGEST, "3:00"));
        assertThat(cache.directory("data")).contains(new StateCache.DirectoryStamp(DIGEST, "3:00"));
        assertThat(cache.directory("other")).contains(new StateCache.DirectoryStamp("b".repeat(64), "1:ee"));
    }

    @Test
    void whatWasFlushedIsThereAfterReopening() {
        cache.record("data/a.csv", STAMP, DIGEST);
        cache.recordDirectory("data", new StateCache.DirectoryStamp(DIGEST, "1:ff"));
        cache.close();
        cache = open(tmp);
        assertThat(cache.lookup("data/a.csv", STAMP)).contains(DIGEST);
        assertThat(cache.directory("data")).contains(new StateCache.DirectoryStamp(DIGEST, "1:ff"));
    }

    @Test
    void retainForgetsWhatItRejectsOnceFlushed() {
        cache.record("data/gone.csv", STAMP, DIGEST);
        cache.record("data/kept.csv", STAMP, DIGEST);
        cache.recordDirectory("data", new StateCache.DirectoryStamp(DIGEST, "2:ff"));
        cache.recordDirectory("old", new StateCache.DirectoryStamp(DIGEST, "1:ff"));
        cache.flush();
        cache.record("data/pending-gone.csv", STAMP, DIGEST);
        cache.retain(p -> !p.contains("gone") && !p.equals("old"));
        cache.record("data/back.csv", STAMP, DIGEST); // recorded after the retain: kept
        cache.close();
        cache = open(tmp);
        assertThat(cache.lookup("data/gone.csv", STAMP)).isEmpty();
        assertThat(cache.lookup("data/pending-gone.csv", STAMP)).isEmpty();
        assertThat(cache.lookup("data/kept.csv", STAMP)).contains(DIGEST);
        assertThat(cache.lookup("data/back.csv", STAMP)).contains(DIGEST);
        assertThat(cache.directory("old")).isEmpty();
        assertThat(cache.directory("data")).isPresent();
    }

    @Test
    void moveCarriesAPathAndEverythingUnderItToTheNewName() {
        cache.record("data/a.csv", STAMP, DIGEST);
        cache.record("data/sub/b.csv", STAMP, DIGEST);
        cache.record("database/c.csv", STAMP, DIGEST); // shares the prefix, not the directory
        cache.recordDirectory("data", new StateCache.DirectoryStamp(DIGEST, "2:ff"));
        cache.flush();
        cache.record("data/pending.csv", STAMP, DIGEST);
        cache.move("data", "archive/2026");
        cache.close();
        cache = open(tmp);
        assertThat(cache.lookup("archive/2026/a.csv", STAMP)).contains(DIGEST);
        assertThat(cache.lookup("archive/2026/sub/b.csv", STAMP)).contains(DIGEST);
        assertThat(cache.lookup("archive/2026/pending.csv", STAMP)).contains(DIGEST);
        assertThat(cache.directory("archive/2026")).contains(new StateCache.DirectoryStamp(DIGEST, "2:ff"));
        assertThat(cache.lookup("data/a.csv", STAMP)).isEmpty();
        assertThat(cache.lookup("data/pending.csv", STAMP)).isEmpty();
        assertThat(cache.directory("data")).isEmpty();
        assertThat(cache.lookup("database/c.csv", STAMP)).contains(DIGEST);
    }

    @Test
    void concurrentRecordsAreAllKept() {
        cache.prefetch();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            writers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 500; i++) cache.record("f" + thread + "/" + i, STAMP, DIGEST);
            }));
        }
        writers.forEach(CompletableFuture::join);
        cache.close();
        cache = open(tmp);
        for (int t = 0; t < 4; t++) for (int i = 0; i < 500; i++) assertThat(cache.lookup("f" + t + "/" + i, STAMP)).contains(DIGEST);
    }
}
