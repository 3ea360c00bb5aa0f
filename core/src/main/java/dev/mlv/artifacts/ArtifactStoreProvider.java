package dev.mlv.artifacts;

/**
 * Opens an {@link ArtifactStore} for the URI schemes it knows. Backends register one with
 * {@code META-INF/services/dev.mlv.artifacts.ArtifactStoreProvider}; {@link ArtifactStores} picks it by scheme.
 */
public interface ArtifactStoreProvider {

    /** Schemes handled, lower case, e.g. {@code "file"} or {@code "s3"}. */
    java.util.Set<String> schemes();

    ArtifactStore open(String uri);
}
