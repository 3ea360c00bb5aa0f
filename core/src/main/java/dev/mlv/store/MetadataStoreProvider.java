package dev.mlv.store;

import java.util.Set;

/**
 * Opens a {@link MetadataStore} for the URI schemes it knows ({@code sqlite}, {@code postgresql}, …). Backends
 * register one in {@code META-INF/services/dev.mlv.store.MetadataStoreProvider}.
 */
public interface MetadataStoreProvider {

    Set<String> schemes();

    /**
     * Opens (and migrates to the current schema) the store at {@code uri}. {@code defaultArtifactRoot} is the root
     * under which new experiments get their artifact location, e.g. {@code mlflow-artifacts:/}.
     */
    MetadataStore open(String uri, String defaultArtifactRoot);
}
