package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStoreProvider;

import java.util.Set;

/** {@code s3://bucket/prefix} artifact destinations, with a client from {@link S3Clients#fromEnvironment()}. */
public final class S3ArtifactStoreProvider implements ArtifactStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public ArtifactStore open(String uri) {
        return S3ArtifactStore.open(uri);
    }
}
