package dev.mlv.artifacts;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalArtifactStoreTest extends ArtifactStoreContractTest {
    @TempDir
    Path root;
    @TempDir
    Path outside;

    @Override
    protected ArtifactStore openStore() {
        return new LocalArtifactStore(root);
    }

    /** {@code files} answers as {@code stat} does: a link to a file inside the root is a file, one that leaves it is refused. */
    @Test
    void filesFollowsSymlinksAsStatDoes() throws Exception {
        store.put(ArtifactPath.parse("real/f"), new ByteArrayInputStream(new byte[]{1}));
        Files.createDirectories(root.resolve("links"));
        Files.createSymbolicLink(root.resolve("links/to-file"), root.resolve("real/f"));
        Files.createSymbolicLink(root.resolve("links/to-folder"), root.resolve("real"));
        Files.createSymbolicLink(root.resolve("linked-folder"), root.resolve("real"));
        List<ArtifactPath> asked = List.of(ArtifactPath.parse("links/to-file"), ArtifactPath.parse("links/to-folder"),
                ArtifactPath.parse("linked-folder/f"), ArtifactPath.parse("links/absent"));
        assertThat(store.files(asked)).containsExactlyInAnyOrder(ArtifactPath.parse("links/to-file"), ArtifactPath.parse("linked-folder/f"));
        for (ArtifactPath p : asked) {
            assertThat(store.files(List.of(p)).isEmpty()).as(p.toString()).isEqualTo(store.stat(p).filter(f -> !f.isDir()).isEmpty());
        }

        Files.writeString(outside.resolve("secret"), "x");
        Files.createSymbolicLink(root.resolve("links/escape"), outside.resolve("secret"));
        Files.createSymbolicLink(root.resolve("escaping-folder"), outside);
        assertThatThrownBy(() -> store.files(List.of(ArtifactPath.parse("links/escape")))).isInstanceOf(MlvException.class)
                .hasMessageContaining("leaves the artifact root");
        assertThatThrownBy(() -> store.files(List.of(ArtifactPath.parse("escaping-folder/secret")))).isInstanceOf(MlvException.class)
                .hasMessageContaining("leaves the artifact root");
    }
}
