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
    void invalidNamesAreRefused() {
        for (String bad : List.of("../../etc/passwd", "ABCDEF", Digests.sha256(new byte[0]).toUpperCase(), "")) {
            assertThatThrownBy(() -> remote.missing(List.of(bad))).isInstanceOf(MlvException.class);
            assertThatThrownBy(() -> remote.open(bad)).isInstanceOf(MlvException.class);
        }
    }
}
