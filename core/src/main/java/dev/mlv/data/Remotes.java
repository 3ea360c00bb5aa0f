package dev.mlv.data;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/** The one factory from a remote URL to a {@link Remote}: a plain path or {@code file:} is local, others by scheme. */
public final class Remotes {
    private Remotes() {
    }

    public static Remote open(String url) {
        return open(url, Map.of());
    }

    /**
     * Opens the remote at {@code url} with the options of its {@code .mlv/config} entry; {@code INVALID_PARAMETER_VALUE}
     * for an option its kind of remote does not take.
     */
    public static Remote open(String url, Map<String, String> options) {
        if (url == null || url.isBlank()) throw MlvException.invalid("Empty remote URL");
        requireKnownOptions(url, options.keySet());
        String scheme = ArtifactStores.schemeOf(url);
        if (scheme == null) return new LocalRemote(Path.of(url));
        if (scheme.equals("file")) return new LocalRemote(ArtifactStores.fileUriPath(url));
        return provider(url, scheme).open(url, options);
    }

    /** Refuses options the remote at {@code url} does not take, naming those it does. */
    public static void requireKnownOptions(String url, Set<String> options) {
        if (options.isEmpty()) return;
        String scheme = ArtifactStores.schemeOf(url);
        Set<String> known = scheme == null || scheme.equals("file") ? Set.of() : provider(url, scheme).options();
        for (String o : new TreeSet<>(options)) {
            if (!known.contains(o)) {
                throw MlvException.invalid("A remote at '" + url + "' takes no option '" + o + "'"
                        + (known.isEmpty() ? " (it takes none)" : " (it takes " + String.join(", ", new TreeSet<>(known)) + ")"));
            }
        }
    }

    private static RemoteProvider provider(String url, String scheme) {
        for (RemoteProvider p : ServiceLoader.load(RemoteProvider.class)) {
            if (p.schemes().contains(scheme)) return p;
        }
        throw MlvException.invalid("No data remote for scheme '" + scheme + "' in '" + url
                + "': use a local path, file:///path, s3://bucket/prefix or http(s)://mlv-server");
    }
}
