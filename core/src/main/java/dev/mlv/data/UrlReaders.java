package dev.mlv.data;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The one place a source URL of {@code mlv data import-url}, {@code get-url} and {@code ls-url} is checked and matched
 * with its {@link UrlReader}: a local path (or {@code file:} URI) of a regular file or folder, {@code http(s)://host/…}
 * without credentials or fragment, a scheme a provider reads ({@code s3://bucket/key}), or
 * {@code remote://NAME/path} inside a data remote of the repository ({@link RemoteUrlReader}).
 */
public final class UrlReaders {
    private UrlReaders() {
    }

    /** The reader for {@code url} outside a repository (so without {@code remote://} URLs); see {@link #of(String, Path, DataConfig)}. */
    public static UrlReader of(String url) {
        return of(url, null, null);
    }

    /**
     * The reader for {@code url} given in the folder {@code base}, which need not be in a repository: a
     * {@code remote://} URL names a data remote of the repository around it.
     */
    public static UrlReader from(Path base, String url) {
        if (url == null || !RemoteUrlReader.SCHEME.equals(ArtifactStores.schemeOf(url))) return of(url);
        Path root = DataRepo.rootAround(base);
        // outside a repository, of() says to run inside the one that has the remote
        return root == null ? of(url, null, null) : of(url, root, DataConfig.ofRepository(root.resolve(DataRepo.DIR)));
    }

    /** The reader for {@code url} in the repository {@code r}, whose data remotes {@code remote://} URLs name. */
    public static UrlReader of(String url, DataRepo r) {
        return of(url, r.root(), r.config());
    }

    /**
     * The reader for {@code url}, after checking it; close it after use. A local path must be absolute to be read.
     * {@code remote://NAME/…} URLs name a remote of the config of the repository at {@code root} (both null outside one).
     */
    public static UrlReader of(String url, Path root, DataConfig config) {
        if (url == null || url.isBlank() || url.indexOf('\0') >= 0) throw MlvException.invalid("Invalid source URL '" + url + "'");
        if (isLocal(url)) return LOCAL;
        String scheme = ArtifactStores.schemeOf(url);
        if (scheme.equals(RemoteUrlReader.SCHEME)) return RemoteUrlReader.of(url, root, config);
        if (scheme.equals("http") || scheme.equals("https")) {
            HttpUrlReader.INSTANCE.requireValid(url);
            return HttpUrlReader.INSTANCE;
        }
        for (UrlReader r : ServiceLoader.load(UrlReader.class)) {
            if (r.schemes().contains(scheme)) {
                r.requireValid(url);
                return r;
            }
        }
        throw MlvException.invalid("Cannot import from '" + url + "': no reader for scheme '" + scheme
                + "' (use a local path, http(s)://…, s3://bucket/key or remote://NAME/path)");
    }

    /** Whether {@code url} names a local file or folder: a plain path or a {@code file:} URI. */
    public static boolean isLocal(String url) {
        String scheme = ArtifactStores.schemeOf(url);
        return scheme == null || scheme.equals("file");
    }

    /** The file or folder a local source names, made absolute against {@code base}; null when {@code url} is no local source. */
    static Path localSource(Path base, String url) {
        return isLocal(url) ? base.resolve(localPath(url)).toAbsolutePath().normalize() : null;
    }

    /** The local file a local source names: a plain path or a {@code file:} URI. */
    static Path localPath(String url) {
        return "file".equals(ArtifactStores.schemeOf(url)) ? ArtifactStores.fileUriPath(url) : Path.of(url);
    }

    /** Local files and folders: versions are their SHA-256, which {@link #version} computes by reading the file. */
    private static final UrlReader LOCAL = new UrlReader() {
        @Override
        public Set<String> schemes() {
            return Set.of("file");
        }

        @Override
        public void requireValid(String url) {
            localPath(url);
        }

        @Override
        public Version version(String url) {
            Path p = regularFile(url);
            Hashing.Result r = Hashing.hash(p);
            return new Version(null, null, r.size(), r.digest());
        }

        @Override
        public Opened open(String url) {
            Path p = regularFile(url);
            try {
                InputStream in = Files.newInputStream(p);
                return new Opened(in, new Version(null, null, Files.size(p), null));
            } catch (NoSuchFileException e) {
                throw MlvException.notFound("No such file: " + url);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
            }
        }

        @Override
        public List<Listed> list(String url) {
            Path dir = absolute(url);
            if (!Files.isDirectory(dir)) return List.of();
            List<Listed> files = new ArrayList<>();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (!p.equals(dir) && Files.isSymbolicLink(p)) {
                        throw MlvException.invalid("'" + p + "' is a symlink: import-url copies regular files only");
                    }
                    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        String rel = dir.relativize(p).toString().replace('\\', '/');
                        files.add(new Listed(rel, new Version(null, null, Files.size(p), null)));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list " + url + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) throw MlvException.invalid("'" + url + "' is an empty folder: there is nothing to read");
            return files;
        }

        private Path absolute(String url) {
            Path p = localPath(url);
            if (!p.isAbsolute()) throw new IllegalArgumentException("relative local source " + url);
            return p;
        }

        private Path regularFile(String url) {
            Path p = absolute(url);
            if (!Files.exists(p)) throw MlvException.notFound("No such file: " + url);
            if (!Files.isRegularFile(p)) throw MlvException.invalid("'" + url + "' is not a regular file");
            return p;
        }
    };
}
