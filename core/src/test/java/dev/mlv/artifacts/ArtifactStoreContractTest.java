package dev.mlv.artifacts;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link ArtifactStore} backend passes (see the interface's Javadoc). A backend's test is a
 * one-line subclass that opens a fresh, empty store; the store is closed after each test.
 *
 * <p>Published in core's test-jar so that backends in other modules (store-s3, …) can subclass it.
 */
public abstract class ArtifactStoreContractTest {

    /** A fresh, empty store for one test. */
    protected abstract ArtifactStore openStore() throws Exception;

    protected ArtifactStore store;

    /**
     * Whether the backend takes multipart uploads that clients send straight to the storage (S3 does); a backend that
     * does not must refuse all three calls with {@code NOT_IMPLEMENTED} and MLflow's message.
     */
    protected boolean takesClientMultipartUploads() {
        return false;
    }

    /** Whether the backend gives presigned URLs that clients send straight to the storage (S3 does). */
    protected boolean presignsUrls() {
        return false;
    }

    @Test
    void presignedUrlsReadAndWriteTheFileStraightFromTheStorageOrThereAreNone() throws Exception {
        store.put(p("signed/in.txt"), bytes("read me"));
        var read = store.presign(p("signed/in.txt"), false, java.time.Duration.ofMinutes(5));
        var write = store.presign(p("signed/out.txt"), true, java.time.Duration.ofMinutes(5));
        if (!presignsUrls()) {
            assertThat(read).isEmpty();
            assertThat(write).isEmpty();
            return;
        }
        java.net.HttpURLConnection get = (java.net.HttpURLConnection) java.net.URI.create(read.orElseThrow().url()).toURL().openConnection();
        read.get().headers().forEach(get::setRequestProperty);
        assertThat(get.getResponseCode()).isEqualTo(200);
        try (InputStream in = get.getInputStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("read me");
        }
        java.net.HttpURLConnection put = (java.net.HttpURLConnection) java.net.URI.create(write.orElseThrow().url()).toURL().openConnection();
        put.setRequestMethod("PUT");
        put.setDoOutput(true);
        write.get().headers().forEach(put::setRequestProperty);
        try (var out = put.getOutputStream()) {
            out.write("written straight".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(put.getResponseCode()).isEqualTo(200);
        assertThat(read("signed/out.txt")).isEqualTo("written straight");
        // a URL names one file and one verb: the read URL cannot write
        java.net.HttpURLConnection misuse = (java.net.HttpURLConnection) java.net.URI.create(read.get().url()).toURL().openConnection();
        misuse.setRequestMethod("PUT");
        misuse.setDoOutput(true);
        try (var out = misuse.getOutputStream()) {
            out.write("overwrite".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(misuse.getResponseCode()).isEqualTo(403);
        assertThat(read("signed/in.txt")).isEqualTo("read me");
    }

    @BeforeEach
    void openTheStore() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        if (store != null) store.close();
    }

    protected static ArtifactPath p(String path) {
        return ArtifactPath.parse(path);
    }

    protected static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    protected String read(String path) {
        try (InputStream in = store.open(p(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void putThenOpenRoundTrips() {
        long n = store.put(p("a.txt"), bytes("hello"));
        assertThat(n).isEqualTo(5);
        assertThat(read("a.txt")).isEqualTo("hello");
    }

    @Test
    void putCreatesParentDirectories() {
        store.put(p("1/run/artifacts/model/MLmodel"), bytes("flavors: {}"));
        assertThat(read("1/run/artifacts/model/MLmodel")).isEqualTo("flavors: {}");
        assertThat(store.stat(p("1/run/artifacts/model"))).hasValueSatisfying(f -> assertThat(f.isDir()).isTrue());
    }

    @Test
    void putReplacesAnExistingFile() {
        store.put(p("x/f.bin"), bytes("first version, longer"));
        store.put(p("x/f.bin"), bytes("second"));
        assertThat(read("x/f.bin")).isEqualTo("second");
        assertThat(store.stat(p("x/f.bin"))).hasValue(new FileInfo("x/f.bin", false, 6L));
    }

    @Test
    void putsAnEmptyFile() {
        assertThat(store.put(p("empty"), InputStream.nullInputStream())).isZero();
        assertThat(read("empty")).isEmpty();
        assertThat(store.stat(p("empty"))).hasValue(new FileInfo("empty", false, 0L));
    }

    @Test
    void aBatchWritesEveryFileWholeByItsCommit() {
        store.put(p("batch/old.txt"), bytes("the old bytes, longer"));
        try (ArtifactStore.Batch batch = store.batch()) {
            batch.add(p("batch/a/1.txt"), "one".getBytes(StandardCharsets.UTF_8));
            batch.add(p("batch/b/2.txt"), new byte[0]);
            batch.add(p("batch/old.txt"), "new".getBytes(StandardCharsets.UTF_8));
            batch.add(p("batch/a/1.txt"), "uno".getBytes(StandardCharsets.UTF_8)); // added twice: the last bytes win
            batch.commit();
        }
        assertThat(read("batch/a/1.txt")).isEqualTo("uno");
        assertThat(read("batch/b/2.txt")).isEmpty();
        assertThat(read("batch/old.txt")).isEqualTo("new");
        assertThat(store.list(p("batch/a"))).extracting(FileInfo::path).containsExactly("batch/a/1.txt");
    }

    @Test
    void aBatchClosedWithoutCommitLeavesOnlyWholeFilesAndNoTempFiles() throws Exception {
        store.put(p("kept/f.txt"), bytes("before"));
        try (ArtifactStore.Batch batch = store.batch()) {
            batch.add(p("kept/f.txt"), "after".getBytes(StandardCharsets.UTF_8));
            batch.add(p("kept/g.txt"), "new".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read("kept/f.txt")).isIn("before", "after"); // a backend that writes at once has written it
        List<String> listed = store.list(p("kept")).stream().map(FileInfo::path).toList();
        assertThat(listed).isSubsetOf("kept/f.txt", "kept/g.txt").contains("kept/f.txt");
        if (listed.contains("kept/g.txt")) assertThat(read("kept/g.txt")).isEqualTo("new");
        if (store instanceof LocalArtifactStore local) {
            try (var files = Files.list(local.root().resolve("kept"))) {
                assertThat(files.map(f -> f.getFileName().toString())).containsExactly("f.txt");
            }
            assertThat(read("kept/f.txt")).isEqualTo("before");
        }
    }

    @Test
    void aBatchOfManyFilesKeepsTheLastBytesOfAPathAddedAgainLater() {
        try (ArtifactStore.Batch batch = store.batch()) {
            batch.add(p("many/x.txt"), "first".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 40; i++) batch.add(p("many/f" + i), ("file " + i).getBytes(StandardCharsets.UTF_8));
            batch.add(p("many/x.txt"), "last".getBytes(StandardCharsets.UTF_8));
            batch.commit();
        }
        assertThat(read("many/x.txt")).isEqualTo("last");
        for (int i = 0; i < 40; i++) assertThat(read("many/f" + i)).isEqualTo("file " + i);
        assertThat(store.list(p("many"))).hasSize(41);
    }

    @Test
    void readSmallHandsOverEveryFileThatExistsAndFitsAndSkipsTheRest() throws Exception {
        List<ArtifactPath> asked = new ArrayList<>();
        java.util.Map<ArtifactPath, String> expected = new java.util.HashMap<>();
        for (int i = 0; i < 30; i++) {
            ArtifactPath path = p("small/" + (i % 3) + "/f" + i);
            asked.add(path);
            if (i % 5 == 4) continue; // absent
            String content = i % 7 == 6 ? "x".repeat(101) : "bytes of " + i; // 101 bytes: over the limit
            store.put(path, bytes(content));
            if (content.length() <= 100) expected.put(path, content);
        }
        store.put(p("small/empty"), new ByteArrayInputStream(new byte[0]));
        asked.add(p("small/empty"));
        expected.put(p("small/empty"), "");
        asked.add(p("small/1")); // a directory
        java.util.Map<ArtifactPath, String> got = new java.util.HashMap<>();
        store.readSmall(asked, 100, (path, bytes) -> {
            assertThat(got.put(path, new String(bytes, StandardCharsets.UTF_8))).as("handed over once: " + path).isNull();
        });
        assertThat(got).isEqualTo(expected);
        assertThat(expected).hasSizeGreaterThan(15);

        IOException stop = new IOException("the client went away");
        assertThatThrownBy(() -> store.readSmall(asked, 100, (path, bytes) -> {
            throw stop;
        })).isSameAs(stop);
    }

    @Test
    void filesAnswersWhichPathsAreFilesForFewAndForManyPaths() {
        List<ArtifactPath> many = new ArrayList<>();
        java.util.Set<ArtifactPath> present = new java.util.HashSet<>();
        for (int i = 0; i < 100; i++) {
            ArtifactPath path = p("exists/" + (i % 4) + "/o" + i);
            many.add(path);
            if (i % 3 == 0) {
                store.put(path, bytes("o"));
                present.add(path);
            }
        }
        store.put(p("exists/elsewhere/o0"), bytes("same name, other folder"));
        many.add(p("exists/2")); // a directory is no file
        many.add(p("nowhere/at/all"));
        assertThat(store.files(many)).isEqualTo(present);
        List<ArtifactPath> few = many.subList(0, 10);
        assertThat(store.files(few)).containsExactlyInAnyOrder(p("exists/0/o0"), p("exists/3/o3"), p("exists/2/o6"), p("exists/1/o9"));
        assertThat(store.files(List.of())).isEmpty();
    }

    @Test
    void keepsNamesWithSpacesAndUnicode() {
        store.put(p("dir with space/数据 ü.csv"), bytes("a,b"));
        assertThat(read("dir with space/数据 ü.csv")).isEqualTo("a,b");
        assertThat(store.list(p("dir with space"))).extracting(FileInfo::path).containsExactly("dir with space/数据 ü.csv");
    }

    @Test
    void streamsAFileLargerThanAnyBuffer() throws Exception {
        long size = 12L * 1024 * 1024 + 12345; // above S3's multipart threshold and any sane buffer
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        long n = store.put(p("big/blob.bin"), new DeterministicStream(size, 42, written));
        assertThat(n).isEqualTo(size);
        assertThat(store.stat(p("big/blob.bin"))).hasValue(new FileInfo("big/blob.bin", false, size));
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = store.open(p("big/blob.bin"))) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) read.update(buf, 0, r);
        }
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
    }

    @Test
    void putWithAKnownLengthRoundTripsSmallAndLarge() throws Exception {
        assertThat(store.put(p("k/small.txt"), bytes("hello"), 5)).isEqualTo(5);
        assertThat(read("k/small.txt")).isEqualTo("hello");
        assertThat(store.put(p("k/empty"), InputStream.nullInputStream(), 0)).isZero();
        assertThat(store.stat(p("k/empty"))).hasValue(new FileInfo("k/empty", false, 0L));

        long size = 12L * 1024 * 1024 + 777; // above S3's multipart part size: streams as one request
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        assertThat(store.put(p("k/big.bin"), new DeterministicStream(size, 7, written), size)).isEqualTo(size);
        assertThat(store.stat(p("k/big.bin"))).hasValue(new FileInfo("k/big.bin", false, size));
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        try (InputStream in = store.open(p("k/big.bin"))) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) read.update(buf, 0, r);
        }
        assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
    }

    @Test
    void putWithAnUnknownLengthIsThePlainPut() {
        assertThat(store.put(p("u/f.txt"), bytes("unknown"), ArtifactStore.UNKNOWN_LENGTH)).isEqualTo(7);
        assertThat(read("u/f.txt")).isEqualTo("unknown");
    }

    @Test
    void contentShorterOrLongerThanDeclaredFailsAndWritesNothing() throws Exception {
        store.put(p("m/keep.bin"), bytes("old bytes"));
        long big = 12L * 1024 * 1024;
        // fewer bytes than declared, small and past one S3 part; more bytes than declared, small and large
        List<Runnable> puts = List.of(
                () -> store.put(p("m/keep.bin"), bytes("short"), 6),
                () -> store.put(p("m/new.bin"), bytes("short"), 6),
                () -> store.put(p("m/new.bin"), new DeterministicStream(big - 1, 1, sha256()), big),
                () -> store.put(p("m/keep.bin"), new DeterministicStream(big - 1, 1, sha256()), big),
                () -> store.put(p("m/new.bin"), bytes("longer"), 5),
                () -> store.put(p("m/new.bin"), bytes("x"), 0),
                () -> store.put(p("m/new.bin"), new DeterministicStream(big + 1, 1, sha256()), big));
        for (Runnable put : puts) {
            assertThatThrownBy(put::run).isInstanceOfSatisfying(MlvException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
        assertThat(read("m/keep.bin")).isEqualTo("old bytes");
        assertThat(store.stat(p("m/new.bin"))).isEmpty();
        assertListedEventually("m", "m/keep.bin");
    }

    /**
     * The listing under {@code dir}, waited for up to 10 s: an S3-compatible server may show the temp file of a
     * request the client aborted until its own request thread notices (s3proxy's file backend does), but never for long.
     */
    private void assertListedEventually(String dir, String... expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline
                && !store.list(p(dir)).stream().map(FileInfo::path).toList().equals(List.of(expected))) {
            Thread.sleep(50);
        }
        assertThat(store.list(p(dir))).extracting(FileInfo::path).containsExactly(expected);
    }

    @Test
    void aKnownLengthPutWhoseStreamBreaksLeavesNothing() throws Exception {
        long big = 12L * 1024 * 1024;
        InputStream breaking = new java.io.FilterInputStream(new DeterministicStream(big, 3, sha256())) {
            private long seen;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (seen > 6L * 1024 * 1024) throw new IOException("client went away");
                int n = super.read(b, off, len);
                if (n > 0) seen += n;
                return n;
            }
        };
        assertThatThrownBy(() -> store.put(p("b/new.bin"), breaking, big)).isInstanceOf(RuntimeException.class);
        assertThat(store.stat(p("b/new.bin"))).isEmpty();
        assertListedEventually("b");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void openOfAMissingFileIsResourceDoesNotExist() {
        assertThatThrownBy(() -> store.open(p("nope/missing.txt")))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
    }

    @Test
    void openFileGivesTheBytesWithTheirSizeAndNothingForDirectoriesOrMissingFiles() throws IOException {
        store.put(p("o/f.txt"), bytes("12345"));
        store.put(p("o/empty"), InputStream.nullInputStream());
        for (String path : List.of("o/f.txt", "o/empty")) {
            ArtifactStore.OpenFile file = store.openFile(p(path)).orElseThrow();
            try (InputStream in = file.in()) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(read(path));
            }
            assertThat(file.size()).isEqualTo(store.stat(p(path)).orElseThrow().fileSize());
        }
        assertThat(store.openFile(p("o"))).as("a directory").isEmpty();
        assertThat(store.openFile(p(""))).as("the root").isEmpty();
        assertThat(store.openFile(p("o/missing"))).isEmpty();
        assertThat(store.openFile(p("o/f.txt/below"))).isEmpty();
    }

    @Test
    void statTellsFilesFromDirectories() {
        store.put(p("d/f.txt"), bytes("12345"));
        assertThat(store.stat(p("d/f.txt"))).hasValue(new FileInfo("d/f.txt", false, 5L));
        assertThat(store.stat(p("d"))).hasValueSatisfying(f -> {
            assertThat(f.path()).isEqualTo("d");
            assertThat(f.isDir()).isTrue();
            assertThat(f.fileSize()).isNull();
        });
        assertThat(store.stat(p("d/missing"))).isEmpty();
        assertThat(store.stat(p("missing-dir/x"))).isEmpty();
        assertThat(store.stat(p("d/f.txt/below"))).isEmpty();
    }

    @Test
    void listsDirectChildrenSortedWithPathsFromTheStoreRoot() {
        store.put(p("exp/run/b.txt"), bytes("bb"));
        store.put(p("exp/run/a.txt"), bytes("a"));
        store.put(p("exp/run/model/MLmodel"), bytes("m"));
        store.put(p("exp/run/model/deep/x.bin"), bytes("xyz"));
        store.put(p("exp/other.txt"), bytes("o"));

        assertThat(store.list(p("exp/run"))).containsExactly(
                new FileInfo("exp/run/a.txt", false, 1L),
                new FileInfo("exp/run/b.txt", false, 2L),
                new FileInfo("exp/run/model", true, null));
        assertThat(store.list(p("exp/run/model"))).containsExactly(
                new FileInfo("exp/run/model/MLmodel", false, 1L),
                new FileInfo("exp/run/model/deep", true, null));
        assertThat(store.list(ArtifactPath.ROOT)).containsExactly(new FileInfo("exp", true, null));
    }

    @Test
    void listOfAMissingDirectoryIsEmpty() {
        assertThat(store.list(p("no/such/dir"))).isEmpty();
        assertThat(store.list(ArtifactPath.ROOT)).isEmpty();
    }

    @Test
    void listDoesNotConfuseSiblingsSharingAPrefix() {
        store.put(p("run/model/a"), bytes("1"));
        store.put(p("run/model-v2/b"), bytes("2"));
        store.put(p("run/modelx"), bytes("3"));
        assertThat(store.list(p("run/model"))).extracting(FileInfo::path).containsExactly("run/model/a");
    }

    @Test
    void deletesAFile() {
        store.put(p("d/keep.txt"), bytes("k"));
        store.put(p("d/gone.txt"), bytes("g"));
        store.delete(p("d/gone.txt"));
        assertThat(store.stat(p("d/gone.txt"))).isEmpty();
        assertThat(store.list(p("d"))).extracting(FileInfo::path).containsExactly("d/keep.txt");
    }

    @Test
    void deletesADirectoryWithEverythingInIt() {
        store.put(p("run/artifacts/a.txt"), bytes("a"));
        store.put(p("run/artifacts/model/MLmodel"), bytes("m"));
        store.put(p("run/artifacts/model/deep/x"), bytes("x"));
        store.put(p("run/sibling.txt"), bytes("s"));
        store.put(p("run/artifacts-2/y"), bytes("y"));
        store.delete(p("run/artifacts"));
        assertThat(store.stat(p("run/artifacts"))).isEmpty();
        assertThat(store.stat(p("run/artifacts/model/MLmodel"))).isEmpty();
        assertThat(store.list(p("run"))).extracting(FileInfo::path).containsExactly("run/artifacts-2", "run/sibling.txt");
        assertThat(read("run/artifacts-2/y")).isEqualTo("y");
    }

    @Test
    void deletingWhatDoesNotExistIsNotAnError() {
        store.delete(p("never/was"));
        store.put(p("f"), bytes("1"));
        store.delete(p("f"));
        store.delete(p("f"));
        assertThat(store.stat(p("f"))).isEmpty();
    }

    @Test
    void aFailedPutLeavesTheOldBytesAndNothingElse() {
        store.put(p("dir/model.bin"), bytes("old bytes"));
        InputStream failing = new InputStream() {
            private int left = 300_000;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) throw new IOException("connection reset by peer");
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) throw new IOException("connection reset by peer");
                int n = Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        assertThatThrownBy(() -> store.put(p("dir/model.bin"), failing)).isInstanceOf(RuntimeException.class);
        assertThat(read("dir/model.bin")).isEqualTo("old bytes");
        assertThatThrownBy(() -> store.put(p("dir/new.bin"), new FailingAfter(1000))).isInstanceOf(RuntimeException.class);
        assertThat(store.stat(p("dir/new.bin"))).isEmpty();
        assertThat(store.list(p("dir"))).extracting(FileInfo::path).containsExactly("dir/model.bin");
    }

    @Test
    void concurrentWritersNeverProduceAMixedFile() throws Exception {
        int writers = 6;
        int size = 256 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                byte fill = (byte) ('a' + w);
                done.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        byte[] content = new byte[size];
                        java.util.Arrays.fill(content, fill);
                        store.put(p("shared/same.bin"), new ByteArrayInputStream(content));
                        store.put(p("shared/own-" + (char) fill), new ByteArrayInputStream(content));
                    }
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        byte[] result;
        try (InputStream in = store.open(p("shared/same.bin"))) {
            result = in.readAllBytes();
        }
        assertThat(result).hasSize(size);
        byte first = result[0];
        for (byte b : result) assertThat(b).isEqualTo(first);
        assertThat(store.list(p("shared"))).hasSize(writers + 1);
    }

    private static final class FailingAfter extends InputStream {
        private int left;

        FailingAfter(int bytes) {
            this.left = bytes;
        }

        @Override
        public int read() throws IOException {
            if (left-- <= 0) throw new IOException("client went away");
            return 'y';
        }
    }

    @Test
    void clientMultipartUploadsAppearWholeOnCompletionOrAreRefusedPlainly() throws Exception {
        if (!takesClientMultipartUploads()) {
            List<Runnable> calls = List.of(() -> store.createMultipartUpload(p("mpu/big.bin"), 2),
                    () -> store.completeMultipartUpload(p("mpu/big.bin"), "id", List.of(new MultipartUpload.UploadedPart(1, "e"))),
                    () -> store.abortMultipartUpload(p("mpu/big.bin"), "id"));
            for (Runnable call : calls) {
                assertThatThrownBy(call::run).isInstanceOfSatisfying(MlvException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NOT_IMPLEMENTED);
                    assertThat(e.getMessage()).startsWith(ArtifactStore.MULTIPART_UNSUPPORTED);
                });
            }
            return;
        }
        byte[] first = new byte[5 << 20]; // S3's smallest part but the last
        new java.util.Random(7).nextBytes(first);
        byte[] last = "the last part".getBytes(StandardCharsets.UTF_8);
        MultipartUpload upload = store.createMultipartUpload(p("mpu/big.bin"), 2);
        assertThat(upload.targets()).extracting(MultipartUpload.PartTarget::partNumber).containsExactly(1, 2);
        assertThat(store.stat(p("mpu/big.bin"))).isEmpty();
        List<MultipartUpload.UploadedPart> parts = List.of(sendPart(upload.targets().get(0), first),
                sendPart(upload.targets().get(1), last));
        assertThat(store.stat(p("mpu/big.bin"))).as("nothing visible before completion").isEmpty();

        store.completeMultipartUpload(p("mpu/big.bin"), upload.uploadId(), List.of(parts.get(1), parts.get(0)));
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        expected.write(first);
        expected.write(last);
        try (InputStream in = store.open(p("mpu/big.bin"))) {
            assertThat(in.readAllBytes()).isEqualTo(expected.toByteArray());
        }

        MultipartUpload dropped = store.createMultipartUpload(p("mpu/dropped.bin"), 1);
        MultipartUpload.UploadedPart sent = sendPart(dropped.targets().get(0), last);
        store.abortMultipartUpload(p("mpu/dropped.bin"), dropped.uploadId());
        assertThatThrownBy(() -> store.completeMultipartUpload(p("mpu/dropped.bin"), dropped.uploadId(), List.of(sent)))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
        assertThat(store.list(p("mpu"))).extracting(FileInfo::path).containsExactly("mpu/big.bin");
        for (int numParts : new int[] {0, MultipartUpload.MAX_PARTS + 1}) {
            assertThatThrownBy(() -> store.createMultipartUpload(p("mpu/x.bin"), numParts))
                    .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
    }

    /** Sends one part as a client does: a PUT of its bytes to the target's URL with its headers; returns its ETag. */
    private static MultipartUpload.UploadedPart sendPart(MultipartUpload.PartTarget target, byte[] bytes) throws Exception {
        java.net.http.HttpRequest.Builder put = java.net.http.HttpRequest.newBuilder(java.net.URI.create(target.url()))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes));
        target.headers().forEach(put::header);
        java.net.http.HttpResponse<String> answer = java.net.http.HttpClient.newHttpClient()
                .send(put.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return new MultipartUpload.UploadedPart(target.partNumber(), answer.headers().firstValue("ETag").orElseThrow());
    }
}
