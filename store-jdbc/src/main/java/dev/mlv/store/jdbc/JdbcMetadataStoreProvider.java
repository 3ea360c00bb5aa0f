package dev.mlv.store.jdbc;

import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStoreProvider;

import java.util.Set;

/**
 * Opens SQL metadata stores: {@code sqlite:///relative.db}, {@code sqlite:////absolute/mlv.db},
 * {@code postgresql://user:password@host:port/db} (also {@code postgresql+psycopg2://…} and {@code postgres://…}).
 */
public final class JdbcMetadataStoreProvider implements MetadataStoreProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("sqlite", "postgresql", "postgresql+psycopg2", "postgresql+psycopg", "postgres");
    }

    @Override
    public MetadataStore open(String uri, String defaultArtifactRoot) {
        return JdbcMetadataStore.open(uri, defaultArtifactRoot);
    }
}
