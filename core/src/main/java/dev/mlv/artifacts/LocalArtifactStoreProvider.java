package dev.mlv.artifacts;

import java.util.Set;

/** {@code file:} URIs. */
public final class LocalArtifactStoreProvider implements ArtifactStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public ArtifactStore open(String uri) {
        return new LocalArtifactStore(ArtifactStores.fileUriPath(uri));
    }
}
