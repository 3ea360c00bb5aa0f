package dev.mlv.artifacts;

import dev.mlv.errors.MlvException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.ServiceLoader;

/** The one factory that turns an artifact-store URI (or a plain local path) into a store, by scheme. */
public final class ArtifactStores {
    private ArtifactStores() {
    }

    public static ArtifactStore open(String uri) {
        String scheme = schemeOf(uri);
        if (scheme == null) return new LocalArtifactStore(Path.of(uri));
        for (ArtifactStoreProvider p : ServiceLoader.load(ArtifactStoreProvider.class)) {
            if (p.schemes().contains(scheme)) return p.open(uri);
        }
        throw MlvException.invalid("No artifact store for scheme '" + scheme + "' in '" + uri
                + "': use a local path, file:///path or s3://bucket/prefix");
    }

    /** The lower-case scheme of a URI, or null for a plain path (including Windows drive letters). */
    public static String schemeOf(String uri) {
        int colon = uri.indexOf(':');
        if (colon <= 1) return null;
        String s = uri.substring(0, colon);
        if (!s.matches("[A-Za-z][A-Za-z0-9+.-]*")) return null;
        return s.toLowerCase(Locale.ROOT);
    }

    /** The local path of a {@code file:} URI. */
    public static Path fileUriPath(String uri) {
        try {
            return Path.of(URI.create(uri));
        } catch (RuntimeException e) {
            throw MlvException.invalid("Invalid file URI '" + uri + "': " + e.getMessage());
        }
    }
}
