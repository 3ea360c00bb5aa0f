package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is particular to S3: multipart uploads and their abort, prefixes, early close, an unreachable endpoint. */
class S3ArtifactStoreBehaviourTest {
    private static final String BUCKET = "behaviour";
    @TempDir
    static Path tmp;
    private static S3ProxyFixture proxy;
    private static S3Client s3;

    @BeforeAll
    static void startProxy() {
        proxy = S3ProxyFixture.startInMemory(tmp);
        proxy.createBucket(BUCKET);
        s3 = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        s3.close();
        proxy.close();
    }

    private static S3ArtifactStore store() {
        return new S3ArtifactStore(s3, S3Location.parse("s3://" + BUCKET + "/" + UUID.randomUUID()),
                S3ArtifactStore.MIN_PART_SIZE, false);
    }

    private static ArtifactPath p(String s) {
        return ArtifactPath.parse(s);
    }

    @Test
    void streamOfUnknownLengthGoesUpInPartsAndComesBackIdentical() throws Exception {
        S3ArtifactStore store = store();
        long size = 2L * S3ArtifactStore.MIN_PART_SIZE + 12345; // three parts, the last one short
        long written = store.put(p("model/weights.bin"), new PatternStream(size));
        assertThat(written).isEqualTo(size);
        assertThat(store.stat(p("model/weights.bin"))).contains(new FileInfo("model/weights.bin", false, size));
        try (InputStream in = store.open(p("model/weights.bin"))) {
            assertThat(sha256(in)).isEqualTo(sha256(new PatternStream(size)));
        }
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    @Test
    void aKnownLengthGoesUpAsOnePutObjectAnUnknownOneInParts() throws Exception {
        S3ArtifactStore store = store();
        long size = 2L * S3ArtifactStore.MIN_PART_SIZE + 12345; // three parts if it went up in parts
        assertThat(store.put(p("known.bin"), new PatternStream(size), size)).isEqualTo(size);
        assertThat(store.put(p("unknown.bin"), new PatternStream(size))).isEqualTo(size);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(new PatternStream(size).readAllBytes()));
        // a single PutObject's ETag is the MD5 of the bytes; a multipart upload's is "<md5 of the part MD5s>-<parts>"
        assertThat(eTag(store, "known.bin")).isEqualTo(md5);
        assertThat(eTag(store, "unknown.bin")).endsWith("-3");
        try (InputStream in = store.open(p("known.bin"))) {
            assertThat(sha256(in)).isEqualTo(sha256(new PatternStream(size)));
        }
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    private static String eTag(S3ArtifactStore store, String path) {
        return s3.headObject(b -> b.bucket(BUCKET).key(store.location().key(p(path)))).eTag().replace("\"", "");
    }

    @Test
    void aStreamThatFailsMidwayLeavesNeitherObjectNorParts() {
        S3ArtifactStore store = store();
        store.put(p("keep.bin"), new ByteArrayInputStream("old".getBytes(StandardCharsets.UTF_8)));
        InputStream failing = new PatternStream(3L * S3ArtifactStore.MIN_PART_SIZE) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position() > S3ArtifactStore.MIN_PART_SIZE + 100) throw new IOException("client went away");
                return super.read(b, off, len);
            }
        };
        assertThatThrownBy(() -> store.put(p("big.bin"), failing)).isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> store.put(p("keep.bin"), new PatternStream(3L * S3ArtifactStore.MIN_PART_SIZE) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (position() > 10) throw new IOException("client went away");
                return super.read(b, off, len);
            }
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(store.stat(p("big.bin"))).isEmpty();
        assertThat(store.stat(p("keep.bin"))).contains(new FileInfo("keep.bin", false, 3L));
        assertThat(s3.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    @Test
    void listsDirectChildrenAndDeletesWholePrefixes() {
        S3ArtifactStore store = store();
        for (String f : new String[]{"a.txt", "dir/b.txt", "dir/sub/c.txt", "dir2/d.txt", "dirx"}) {
            store.put(p(f), new ByteArrayInputStream(f.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(store.list(ArtifactPath.ROOT)).containsExactly(
                new FileInfo("a.txt", false, 5L), new FileInfo("dir", true, null),
                new FileInfo("dir2", true, null), new FileInfo("dirx", false, 4L));
        assertThat(store.list(p("dir"))).containsExactly(
                new FileInfo("dir/b.txt", false, 9L), new FileInfo("dir/sub", true, null));
        assertThat(store.stat(p("dir"))).contains(new FileInfo("dir", true, null));
        assertThat(store.list(p("missing"))).isEmpty();

        store.delete(p("dir"));
        assertThat(store.list(ArtifactPath.ROOT)).extracting(FileInfo::path).containsExactly("a.txt", "dir2", "dirx");
        assertThat(store.stat(p("dir/sub/c.txt"))).isEmpty();
        store.delete(p("never-there"));
        assertThatThrownBy(() -> store.delete(ArtifactPath.ROOT)).isInstanceOf(MlvException.class);
    }

    @Test
    void storesDoNotSeeEachOthersPrefixes() {
        S3Location base = S3Location.parse("s3://" + BUCKET + "/" + UUID.randomUUID());
        var outer = new S3ArtifactStore(s3, base, S3ArtifactStore.MIN_PART_SIZE, false);
        var inner = new S3ArtifactStore(s3, base.resolve(p("inner")), S3ArtifactStore.MIN_PART_SIZE, false);
        inner.put(p("x"), new ByteArrayInputStream(new byte[]{1}));
        outer.put(p("innerish"), new ByteArrayInputStream(new byte[]{2}));
        assertThat(inner.list(ArtifactPath.ROOT)).containsExactly(new FileInfo("x", false, 1L));
        assertThat(outer.list(ArtifactPath.ROOT)).extracting(FileInfo::path).containsExactly("inner", "innerish");
    }

    @Test
    void closingADownloadEarlyDoesNotReadTheRest() throws Exception {
        S3ArtifactStore store = store();
        store.put(p("f.bin"), new PatternStream(S3ArtifactStore.MIN_PART_SIZE * 2L));
        for (int i = 0; i < 80; i++) { // more than the connection pool: leaked connections would block
            try (InputStream in = store.open(p("f.bin"))) {
                assertThat(in.read()).isEqualTo(0);
            }
        }
        assertThatThrownBy(() -> store.open(p("nope"))).isInstanceOfSatisfying(MlvException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
    }

    @Test
    void providerOpensS3UrisAndAnUnreachableEndpointIsTemporarilyUnavailable() {
        String old = System.getProperty(S3Clients.ENDPOINT_PROPERTY);
        System.setProperty(S3Clients.ENDPOINT_PROPERTY, "http://127.0.0.1:1");
        System.setProperty("aws.accessKeyId", "x");
        System.setProperty("aws.secretAccessKey", "y");
        try (ArtifactStore store = ArtifactStores.open("s3://" + BUCKET + "/unreachable")) {
            assertThat(store).isInstanceOf(S3ArtifactStore.class);
            assertThat(store.uri()).isEqualTo("s3://" + BUCKET + "/unreachable");
            assertThatThrownBy(() -> store.put(p("f"), new ByteArrayInputStream(new byte[10])))
                    .isInstanceOfSatisfying(MlvException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("unreachable").contains("s3://" + BUCKET + "/unreachable");
                    });
        } finally {
            if (old == null) System.clearProperty(S3Clients.ENDPOINT_PROPERTY);
            else System.setProperty(S3Clients.ENDPOINT_PROPERTY, old);
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    @Test
    void aBatchWhosePutsFailReportsItAtCommit() {
        var store = new S3ArtifactStore(s3, S3Location.parse("s3://no-such-bucket/x"), S3ArtifactStore.MIN_PART_SIZE, false);
        try (ArtifactStore.Batch batch = store.batch()) {
            for (int i = 0; i < 3 * S3ArtifactStore.SMALL_FILES_IN_FLIGHT; i++) batch.add(p("f" + i), new byte[]{1});
            assertThatThrownBy(batch::commit).isInstanceOfSatisfying(MlvException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
                assertThat(e.getMessage()).contains("NoSuchBucket").contains("Cannot write artifact 'f0' in s3://no-such-bucket/x");
            });
        }
    }

    @Test
    void wrongCredentialsAreAClearError() {
        try (S3Client bad = S3Clients.create(proxy.endpoint(), "nobody", "wrong")) {
            var store = new S3ArtifactStore(bad, S3Location.parse("s3://" + BUCKET + "/x"), S3ArtifactStore.MIN_PART_SIZE, false);
            assertThatThrownBy(() -> store.put(p("f"), new ByteArrayInputStream(new byte[1])))
                    .isInstanceOfSatisfying(MlvException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
                        assertThat(e.getMessage()).contains("S3 answered 403");
                    });
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        return HexFormat.of().formatHex(md.digest());
    }

    /** A deterministic stream of {@code size} bytes that never exists in memory at once and hides its length. */
    static class PatternStream extends InputStream {
        private final long size;
        private long pos;

        PatternStream(long size) {
            this.size = size;
        }

        long position() {
            return pos;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= size) return -1;
            int n = (int) Math.min(len, Math.min(size - pos, 8192));
            for (int i = 0; i < n; i++) b[off + i] = (byte) ((pos + i) * 31 / 7);
            pos += n;
            return n;
        }
    }
}
