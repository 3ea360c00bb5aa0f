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
