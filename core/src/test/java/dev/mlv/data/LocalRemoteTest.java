package dev.mlv.data;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRemoteTest extends RemoteContractTest {
    @Override
    protected Remote newRemote() {
        return new LocalRemote(tmp.resolve("remote"));
    }

    @Test
    void aBatchIsStagedWholeBeforeAnyOfItBecomesVisible() throws Exception {
        byte[] good = "good".getBytes(StandardCharsets.UTF_8);
        byte[] claimed = "claimed".getBytes(StandardCharsets.UTF_8);
        String goodName = Digests.sha256(good), liar = Digests.sha256(claimed);
        java.util.List<Remote.Upload> batch = java.util.List.of(new Remote.Upload(goodName, file(good), good.length),
                new Remote.Upload(liar, file("forged".getBytes(StandardCharsets.UTF_8)), 6));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> remote.uploadAll(batch)).hasMessageContaining("corrupt");
        assertThat(remote.missing(java.util.List.of(goodName, liar))).containsExactly(goodName, liar);
        try (var files = Files.walk(tmp.resolve("remote"))) {
            assertThat(files.filter(Files::isRegularFile)).as("no temp file left").isEmpty();
        }
        remote.uploadAll(batch.subList(0, 1));
        assertThat(remote.missing(java.util.List.of(goodName))).isEmpty();
        assertThat(remote.batchSize()).isGreaterThan(1); // a push hands it batches
    }

    @Test
    void listingLeavesOutTempFilesOfUploadsInProgress() throws Exception {
        byte[] b = "object".getBytes(StandardCharsets.UTF_8);
        String name = Digests.sha256(b);
        remote.upload(name, file(b), b.length);
        Path object = ((LocalRemote) remote).objectPath(name);
        Files.writeString(AtomicFiles.tempBeside(object), "half an upload");
        Files.writeString(object.getParent().getParent().resolve("README"), "not an object");
        assertThat(remote.list()).extracting(Remote.Stored::name).containsExactly(name);
    }
}
