package dev.mlv.data;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.nio.file.Path;
import java.util.ServiceLoader;

/** The one factory from a remote URL to a {@link Remote}: a plain path or {@code file:} is local, others by scheme. */
public final class Remotes {
    private Remotes() {
    }

    public static Remote open(String url) {
        if (url == null || url.isBlank()) throw MlvException.invalid("Empty remote URL");
        String scheme = ArtifactStores.schemeOf(url);
        if (scheme == null) return new LocalRemote(Path.of(url));
        if (scheme.equals("file")) return new LocalRemote(ArtifactStores.fileUriPath(url));
        for (RemoteProvider p : ServiceLoader.load(RemoteProvider.class)) {
            if (p.schemes().contains(scheme)) return p.open(url);
        }
        throw MlvException.invalid("No data remote for scheme '" + scheme + "' in '" + url
                + "': use a local path, file:///path, s3://bucket/prefix or http(s)://mlv-server");
    }
}
