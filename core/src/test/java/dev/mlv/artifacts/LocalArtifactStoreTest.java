package dev.mlv.artifacts;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class LocalArtifactStoreTest extends ArtifactStoreContractTest {
    @TempDir
    Path root;

    @Override
    protected ArtifactStore openStore() {
        return new LocalArtifactStore(root);
    }
}
