package dev.mlv.data;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code remote://NAME/path} sources (as DVC's): {@code path} inside the location of data remote {@code NAME} of the
 * repository's {@code .mlv/config}, read with that remote's options, so that an S3-compatible store's endpoint and
 * profile are set once in the config rather than in the environment, and the pointer keeps the short, portable URL.
 * Each call is passed on to the reader of the remote's scheme with the URL translated; the path after the name goes
 * through {@link ArtifactPath#parseLiteral}, so it cannot leave the remote's location.
 */
final class RemoteUrlReader implements UrlReader {
    static final String SCHEME = "remote";

    private final String prefix;
    private final String location;
    private final UrlReader inner;

    private RemoteUrlReader(String prefix, String location, UrlReader inner) {
        this.prefix = prefix;
        this.location = location;
        this.inner = inner;
    }

    /** The reader for {@code url}, a {@code remote://} URL, with the remotes of the repository at {@code root}. */
    static UrlReader of(String url, Path root, DataConfig config) {
        String rest = url.substring((SCHEME + "://").length());
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        if (root == null || config == null) {
            throw MlvException.invalid("'" + url + "' names a data remote: run inside the repository whose .mlv/config has remote '" + name + "'");
        }
        if (!config.remotes().containsKey(name)) {
            throw MlvException.invalid("'" + url + "' names no remote of this repository (known: " + String.join(", ", config.remotes().keySet())
                    + "): add it with 'mlv data remote add " + (name.isEmpty() ? "NAME" : name) + " URL'");
        }
        String location = DataRepo.resolveRemoteUrl(root, config.remoteUrl(name));
        String scheme = ArtifactStores.schemeOf(location);
        if ("http".equals(scheme) || "https".equals(scheme)) {
            throw MlvException.invalid("Remote '" + name + "' is an mlv server, which holds objects by digest rather than files: "
                    + "remote:// URLs read from s3:// and local remotes");
        }
        UrlReader inner = UrlReaders.of(location).withOptions(config.options(name));
        RemoteUrlReader r = new RemoteUrlReader(SCHEME + "://" + name, location, inner);
        r.requireValid(url);
        return r;
    }

    /** The URL {@code url} stands for: the remote's location, and the path after the remote's name inside it. */
    private String target(String url) {
        if (!url.startsWith(prefix) || (url.length() > prefix.length() && url.charAt(prefix.length()) != '/')) {
            throw new IllegalArgumentException(url + " is not inside " + prefix);
        }
        String path;
        try {
            path = ArtifactPath.parseLiteral(url.substring(prefix.length())
                    .replaceFirst("^/", "")).toString();
        } catch (MlvException e) {
            throw MlvException.invalid("Invalid source URL '" + url + "': " + e.getMessage());
        }
        return path.isEmpty() ? location : inner.child(location, path);
    }

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public void requireValid(String url) {
        inner.requireValid(target(url));
    }

    @Override
    public Version version(String url) {
        return inner.version(target(url));
    }

    @Override
    public Opened open(String url) {
        return inner.open(target(url));
    }

    @Override
    public List<Listed> list(String url) {
        return inner.list(target(url));
    }

    @Override
    public void close() {
        inner.close();
    }
}
