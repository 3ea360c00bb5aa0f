package dev.mlv.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of {@code import-url} that need no source: output names, folder versions, URL checks. */
class UrlImportTest {
    @Test
    void theOutputIsNamedAfterTheUrlsLastSegment() {
        assertThat(UrlImport.lastSegment("https://h/a/train%20set.csv?sig=x")).isEqualTo("train set.csv");
        assertThat(UrlImport.lastSegment("s3://bucket/lake/shots/")).isEqualTo("shots");
        assertThat(UrlImport.lastSegment("https://h/a+b.csv")).isEqualTo("a+b.csv");
        assertThat(UrlImport.lastSegment("https://h/")).isNull();
        assertThat(UrlImport.lastSegment("s3://bucket")).isNull();
        // never a name that leaves the folder it is written to
        assertThat(UrlImport.lastSegment("https://h/a/..")).isNull();
        assertThat(UrlImport.lastSegment("https://h/%2e%2e")).isNull();
        assertThat(UrlImport.lastSegment("https://h/a%2F..%2F..%2Fetc")).isNull();
        assertThat(UrlImport.lastSegment("https://h/a%5Cb")).isNull();
        assertThat(UrlImport.lastSegment("https://h/x%00")).isNull();
    }

    @Test
    void remoteUrlsReadInsideTheRemotesLocationOnly(@org.junit.jupiter.api.io.TempDir java.nio.file.Path root) throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("store/raw"));
        java.nio.file.Files.writeString(root.resolve("store/raw/a.csv"), "x,y\n");
        DataConfig config = DataConfig.defaults().withRemote("lake", "store", false); // relative: against the root
        try (UrlReader r = UrlReaders.of("remote://lake/raw/a.csv", root, config)) {
            assertThat(r.version("remote://lake/raw/a.csv").size()).isEqualTo(4L);
            assertThat(r.list("remote://lake/raw")).extracting(UrlReader.Listed::relpath).containsExactly("a.csv");
            assertThat(r.list("remote://lake")).extracting(UrlReader.Listed::relpath).containsExactly("raw/a.csv");
            assertThatThrownBy(() -> r.version("remote://lake/../x")).hasMessageContaining("'..' segment");
            assertThatThrownBy(() -> r.version("remote://lake//etc/passwd")).hasMessageContaining("absolute path");
        }
        assertThatThrownBy(() -> UrlReaders.of("remote://lake/raw/a.csv", root, DataConfig.defaults()))
                .hasMessageContaining("names no remote of this repository");
        assertThatThrownBy(() -> UrlReaders.of("remote://lake/raw/a.csv")).hasMessageContaining("run inside the repository");
        assertThatThrownBy(() -> UrlReaders.of("remote://srv/a.csv", root, DataConfig.defaults().withRemote("srv", "https://mlv.example", false)))
                .hasMessageContaining("is an mlv server");
        assertThatThrownBy(() -> UrlReaders.of("remote://lake/x", root, config.withRemoteOption("lake", "endpoint_url", "http://e")))
                .hasMessageContaining("take no remote options");
    }

    @Test
    void aFoldersVersionDependsOnEveryFileButNotOnListingOrder() {
        var a = new UrlReader.Listed("a.csv", new UrlReader.Version("\"1\"", null, 3L, null));
        var b = new UrlReader.Listed("d/b.csv", new UrlReader.Version("\"2\"", null, 4L, null));
        var b2 = new UrlReader.Listed("d/b.csv", new UrlReader.Version("\"3\"", null, 4L, null));
        String tag = UrlImport.listingTag(List.of(a, b));
        assertThat(tag).hasSize(64).isEqualTo(UrlImport.listingTag(List.of(b, a)));
        assertThat(UrlImport.listingTag(List.of(a, b2))).isNotEqualTo(tag);
        assertThat(UrlImport.listingTag(List.of(a))).isNotEqualTo(tag);
    }

    @Test
    void urlsAreCheckedBeforeAnythingIsRead() {
        assertThatThrownBy(() -> UrlReaders.of("http://h/x\0")).hasMessageContaining("Invalid source URL");
        assertThatThrownBy(() -> UrlReaders.of("https://user:pw@h/x")).hasMessageContaining("holds credentials").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> UrlReaders.of("https:///x")).hasMessageContaining("no host");
        assertThatThrownBy(() -> UrlReaders.of("https://h/x y")).hasMessageContaining("Invalid URL");
        assertThatThrownBy(() -> UrlReaders.of("gopher://h/x")).hasMessageContaining("no reader for scheme 'gopher'");
        assertThat(UrlReaders.of("https://h/x.csv").schemes()).contains("https");
        assertThat(UrlReaders.of("/tmp/x.csv").schemes()).contains("file");
    }

    @Test
    void aFoldersFilesDownloadAsManyAtOnceAsJobsSays(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path source = java.nio.file.Files.createDirectories(dir.resolve("source"));
        for (int i = 0; i < 12; i++) java.nio.file.Files.writeString(source.resolve("f" + i + ".csv"), "row " + i);
        java.nio.file.Path root = DataRepo.init(dir.resolve("ws"));
        try (UrlReader local = UrlReaders.of(source.toString());
             DataRepo r = DataRepo.open(root, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            String caller = Thread.currentThread().getName();
            Watched once = new Watched(local, 1);
            assertThat(UrlImport.downloadAll(r.jobs(1), once, source.toString(), "data").out().nfiles()).isEqualTo(12);
            assertThat(once.threads).containsExactly(caller);

            Watched three = new Watched(local, 3); // every open waits until three are open: fails unless three run at once
            assertThat(UrlImport.downloadAll(r.jobs(3), three, source.toString(), "again").out().nfiles()).isEqualTo(12);
            assertThat(three.most.get()).isEqualTo(3);
            assertThat(three.threads).hasSize(3).allMatch(t -> t.startsWith("mlv-data-"));
        }
    }

    /** A real reader that notes which threads open files, and holds each open until {@code parties} are open at once. */
    private static final class Watched implements UrlReader {
        final UrlReader inner;
        final java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.CyclicBarrier together;

        Watched(UrlReader inner, int parties) {
            this.inner = inner;
            this.together = new java.util.concurrent.CyclicBarrier(parties);
        }

        public java.util.Set<String> schemes() {
            return inner.schemes();
        }

        public void requireValid(String url) {
            inner.requireValid(url);
        }

        public Version version(String url) {
            return inner.version(url);
        }

        public List<Listed> list(String url) {
            return inner.list(url);
        }

        public Opened open(String url) {
            threads.add(Thread.currentThread().getName());
            most.accumulateAndGet(open.incrementAndGet(), Math::max);
            try {
                together.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("fewer than " + together.getParties() + " downloads ran at once", e);
            } finally {
                open.decrementAndGet();
            }
            return inner.open(url);
        }
    }
}
