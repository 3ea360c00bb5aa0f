package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The contract every {@link Remote} passes; one subclass per backend provides a fresh, empty remote. */
public abstract class RemoteContractTest {
    @TempDir
    protected Path tmp;
    protected Remote remote;

    /** A new, empty remote. */
    protected abstract Remote newRemote() throws Exception;

    @BeforeEach
    void openRemote() throws Exception {
        remote = newRemote();
    }

    @AfterEach
    void closeRemote() {
        remote.close();
    }

    protected Path file(byte[] bytes) throws Exception {
        Path f = Files.createTempFile(tmp, "obj", ".bin");
        Files.write(f, bytes);
        return f;
    }

    @Test
    void uploadThenOpenReturnsTheSameBytesAndMissingKnowsIt() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(1).nextBytes(data);
        String name = Digests.sha256(data);
        assertThat(remote.missing(List.of(name))).containsExactly(name);
        remote.upload(name, file(data), data.length);
        remote.upload(name, file(data), data.length); // idempotent
        remote.flush();
        assertThat(remote.missing(List.of(name))).isEmpty();
        try (InputStream in = remote.open(name)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        Path local = remote.localFile(name); // a folder's object read in place; null for the others
        if (local != null) assertThat(Files.readAllBytes(local)).isEqualTo(data);
    }

    @Test
    void missingAnswersLargeBatches() throws Exception {
        List<String> present = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] b = ("object " + i).getBytes(StandardCharsets.UTF_8);
            String n = Digests.sha256(b);
            remote.upload(n, file(b), b.length);
            present.add(n);
        }
        byte[] manifest = "[]".getBytes(StandardCharsets.UTF_8);
        String dir = Manifest.nameOf(manifest);
        remote.upload(dir, file(manifest), manifest.length);
        present.add(dir);
        List<String> absent = new ArrayList<>();
        for (int i = 0; i < 150; i++) absent.add(Digests.sha256(("absent " + i).getBytes(StandardCharsets.UTF_8)));
        List<String> query = new ArrayList<>(absent);
        query.addAll(present);
        Set<String> missing = remote.missing(query);
        assertThat(missing).containsExactlyInAnyOrderElementsOf(absent);
        assertThat(remote.missing(present)).isEmpty();
    }

    @Test
    void openingAMissingObjectIsNotFound() {
        String name = Digests.sha256(new byte[]{42});
        assertThatThrownBy(() -> {
            try (InputStream in = remote.open(name)) {
                in.readAllBytes();
            }
        }).isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
    }

    @Test
    void bytesThatDoNotMatchTheirNameNeverBecomeVisible() throws Exception {
        byte[] good = "good bytes".getBytes(StandardCharsets.UTF_8);
        String name = Digests.sha256(good);
        assertThatThrownBy(() -> remote.upload(name, file("evil bytes".getBytes(StandardCharsets.UTF_8)), 10))
                .isInstanceOf(MlvException.class);
        assertThat(remote.missing(List.of(name))).containsExactly(name);
    }

    @Test
    void uploadAllStoresEveryObjectOfABatch() throws Exception {
        List<Remote.Upload> batch = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] b = new byte[i == 0 ? 0 : i == 1 ? ObjectBatch.MAX_OBJECT_BYTES : 100 + i]; // empty and largest too
            new Random(i).nextBytes(b);
            contents.add(b);
            batch.add(new Remote.Upload(Digests.sha256(b), file(b), b.length));
        }
        List<String> names = batch.stream().map(Remote.Upload::name).toList();
        remote.uploadAll(batch);
        remote.uploadAll(batch.subList(0, 3)); // idempotent
        remote.uploadAll(List.of(batch.get(5), batch.get(5))); // the same object twice in one batch
        remote.flush();
        assertThat(remote.missing(names)).isEmpty();
        for (int i = 0; i < batch.size(); i++) {
            try (InputStream in = remote.open(names.get(i))) {
                assertThat(in.readAllBytes()).isEqualTo(contents.get(i));
            }
        }
    }

    @Test
    void openAllHandsOverEveryObjectItHoldsAndLeavesOutTheRest() throws Exception {
        java.util.Map<String, byte[]> stored = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 12; i++) {
            byte[] b = ("batch object " + i).getBytes(StandardCharsets.UTF_8);
            stored.put(Digests.sha256(b), b);
            remote.upload(Digests.sha256(b), file(b), b.length);
        }
        byte[] large = new byte[ObjectBatch.MAX_OBJECT_BYTES + 1];
        new Random(5).nextBytes(large);
        String largeName = Digests.sha256(large);
        remote.upload(largeName, file(large), large.length);
        remote.flush();
        String absent = Digests.sha256("never uploaded".getBytes(StandardCharsets.UTF_8));
        List<String> asked = new ArrayList<>(stored.keySet());
        asked.add(3, absent);
        asked.add(largeName);
        java.util.Map<String, byte[]> got = new java.util.HashMap<>();
        remote.openAll(asked, (name, in) -> {
            try {
                assertThat(got.put(name, in.readAllBytes())).as("each object once").isNull();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(got).doesNotContainKey(absent);
        for (var e : stored.entrySet()) assertThat(got.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        if (got.containsKey(largeName)) assertThat(got.get(largeName)).isEqualTo(large); // a batch may leave it to open()
        assertThat(got.keySet()).isSubsetOf(asked);
    }

    @Test
    void aBatchWithBytesThatDoNotMatchTheirNameFailsAndNeverShowsThem() throws Exception {
        byte[] good = "fine".getBytes(StandardCharsets.UTF_8);
        byte[] claimed = "claimed".getBytes(StandardCharsets.UTF_8);
        String liar = Digests.sha256(claimed);
        List<Remote.Upload> batch = List.of(new Remote.Upload(Digests.sha256(good), file(good), good.length),
                new Remote.Upload(liar, file("forged!".getBytes(StandardCharsets.UTF_8)), 7));
        assertThatThrownBy(() -> remote.uploadAll(batch)).isInstanceOf(RuntimeException.class);
        assertThat(remote.missing(List.of(liar))).containsExactly(liar);
    }

    /** Whether this backend lists and deletes objects (for gc --cloud); one that does not says so. */
    protected boolean listsAndDeletes() {
        return true;
    }

    @Test
    void listsAndDeletesObjects() throws Exception {
        List<String> names = new ArrayList<>();
        for (String text : List.of("first", "second object")) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            names.add(Digests.sha256(b));
            remote.upload(names.get(names.size() - 1), file(b), b.length);
        }
        byte[] manifest = "[]".getBytes(StandardCharsets.UTF_8);
        names.add(Manifest.nameOf(manifest));
        remote.upload(names.get(2), file(manifest), manifest.length);
        remote.flush();
        if (!listsAndDeletes()) {
            assertThatThrownBy(() -> remote.list()).isInstanceOfSatisfying(MlvException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_IMPLEMENTED));
            assertThatThrownBy(() -> remote.delete(names)).isInstanceOfSatisfying(MlvException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_IMPLEMENTED));
            assertThat(remote.missing(names)).isEmpty();
            return;
        }
        java.time.Instant before = java.time.Instant.now().minusSeconds(600);
        List<Remote.Stored> listed = remote.list();
        assertThat(listed).extracting(Remote.Stored::name).containsExactlyInAnyOrderElementsOf(names);
        assertThat(listed).allSatisfy(o -> assertThat(o.modified()).isAfter(before));
        assertThat(listed).filteredOn(o -> o.name().equals(names.get(1))).extracting(Remote.Stored::size).containsExactly(13L);

        String absent = Digests.sha256("never uploaded".getBytes(StandardCharsets.UTF_8));
        remote.delete(List.of(names.get(0), names.get(2), absent));
        assertThat(remote.missing(names)).containsExactlyInAnyOrder(names.get(0), names.get(2));
        assertThat(remote.list()).extracting(Remote.Stored::name).containsExactly(names.get(1));
        assertThatThrownBy(() -> remote.delete(List.of("../../etc/passwd"))).isInstanceOf(MlvException.class);
        assertThat(remote.missing(List.of(names.get(1)))).isEmpty();
    }

    @Test
    void invalidNamesAreRefused() {
        for (String bad : List.of("../../etc/passwd", "ABCDEF", Digests.sha256(new byte[0]).toUpperCase(), "")) {
            assertThatThrownBy(() -> remote.missing(List.of(bad))).isInstanceOf(MlvException.class);
            assertThatThrownBy(() -> remote.open(bad)).isInstanceOf(MlvException.class);
            assertThatThrownBy(() -> remote.localFile(bad)).isInstanceOf(MlvException.class);
        }
    }
}
