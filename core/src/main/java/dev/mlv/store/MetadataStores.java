package dev.mlv.store;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.util.ServiceLoader;

/** The one factory that turns a {@code --backend-store-uri} into a {@link MetadataStore}, by scheme. */
public final class MetadataStores {
    private MetadataStores() {
    }

    public static MetadataStore open(String uri, String defaultArtifactRoot) {
        String scheme = ArtifactStores.schemeOf(uri);
        if (scheme != null) {
            for (MetadataStoreProvider p : ServiceLoader.load(MetadataStoreProvider.class)) {
                if (p.schemes().contains(scheme)) return p.open(uri, defaultArtifactRoot);
            }
        }
        throw unsupported(uri);
    }

    /** The error for a backend-store URI no backend handles; the password, if any, is masked. */
    public static MlvException unsupported(String uri) {
        return MlvException.invalid("Unsupported backend store URI '" + masked(uri)
                + "': use sqlite:///path/to/mlv.db or postgresql://user:password@host:port/db");
    }

    /** The URI with any password ({@code //user:password@} or {@code password=}) replaced by {@code ***}. */
    public static String masked(String uri) {
        return uri.replaceAll("(//[^/@:]*:)[^/@]*@", "$1***@").replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
