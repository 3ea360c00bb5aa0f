package dev.mlv.data;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Another git repository that tracks data with mlv, read at one commit, for {@code mlv data get} and
 * {@code mlv data list}. A local repository (a path to the top of a work tree, or a bare repository) is read in place
 * with {@code git rev-parse}, {@code git ls-tree} and {@code git cat-file}, which never modify it; anything else is
 * cloned with {@code git clone --no-checkout} into a folder the caller owns and removes (only the newest commit unless
 * a revision is asked for).
 */
final class SourceRepo {
    private final String repo;
    private final Git git;
    private final Path top;
    private final boolean cloned;
    private final String commit;
    private final String at;

    /** PATH as found at the commit: the data {@code path} is tracked (its {@code out}), and PATH is it or lies {@code inside} it. */
    record Found(String path, PointerFile.Out out, String inside) {
    }

    /** A remote of the source's {@code .mlv/config}: its name, the URL configured, that URL resolved, and its options. */
    record RemoteRef(String name, String configured, String url, Map<String, String> options) {
        Remote open() {
            return Remotes.open(url, options);
        }
    }

    private SourceRepo(String repo, Git git, Path top, boolean cloned, String commit, String rev) {
        this.repo = repo;
        this.git = git;
        this.top = top;
        this.cloned = cloned;
        this.commit = commit;
        this.at = rev + " (" + commit.substring(0, 7) + ")";
    }

    /**
     * Opens {@code repo} at {@code rev} (null: its HEAD); a repository that must be cloned goes to {@code work/repo}.
     * {@code INVALID_PARAMETER_VALUE} for what is no repository, no commit or an unknown revision.
     */
    static SourceRepo open(Path base, String repo, String rev, Path work, Progress progress) {
        if (repo == null || repo.isBlank()) throw MlvException.invalid("REPO must not be empty");
        if (rev != null) Git.requireRevision(rev);
        Path local = localFolder(base, repo);
        Git git;
        Path top;
        boolean cloned = local == null;
        if (local != null) {
            top = new Git(local).repositoryRoot();
            if (top == null) throw MlvException.invalid("'" + repo + "' is not a git repository");
            try {
                if (!Files.isSameFile(top, local)) {
                    throw MlvException.invalid("'" + repo + "' is not the top of a git repository (it is inside " + top + ")");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            git = new Git(top);
        } else {
            progress.message("cloning " + repo);
            top = work.resolve("repo");
            git = Git.cloneInto(repo, top, rev == null);
        }
        String shown = rev != null ? rev : "HEAD";
        String commit = git.commitOf(shown);
        if (commit == null && cloned && rev != null) commit = git.commitOf("origin/" + rev); // other branches
        if (commit == null) {
            throw rev == null ? MlvException.invalid("'" + repo + "' has no commits")
                    : MlvException.invalid("Unknown revision '" + rev + "' in '" + repo + "': not a commit, tag or branch there");
        }
        return new SourceRepo(repo, git, top, cloned, commit, shown);
    }

    /** {@code repo} as an existing local folder (resolved against {@code base}), or null for a URL for git. */
    static Path localFolder(Path base, String repo) {
        if (ArtifactStores.schemeOf(repo) != null) return null;
        try {
            Path p = base.resolve(repo);
            return Files.isDirectory(p) ? p.toRealPath() : null;
        } catch (InvalidPathException | IOException e) {
            return null; // not a local folder: let git try it as a URL
        }
    }

    String repo() {
        return repo;
    }

    /** The top folder of the repository (of the clone, for a cloned one). */
    Path top() {
        return top;
    }

    /** Whether the repository was cloned (it is no local folder). */
    boolean cloned() {
        return cloned;
    }

    Git git() {
        return git;
    }

    /** The full id of the commit read. */
    String commit() {
        return commit;
    }

    /** The revision as the user wrote it, with its short commit id: {@code v1.0 (1a2b3c4)}. */
    String at() {
        return at;
    }

    /** Where a file of the source is, for messages: {@code REPO@1a2b3c4:path}. */
    String where(String path) {
        return repo + "@" + commit.substring(0, 7) + ":" + path;
    }

    /** The file {@code path} at the commit, or null. */
    byte[] file(String path) {
        return git.fileAt(commit, path);
    }

    /** The pointer file {@code path}{@code .mlv} at the commit, or null when there is none. */
    PointerFile.Out pointer(String path) {
        byte[] bytes = file(path + PointerFile.SUFFIX);
        if (bytes == null) return null;
        String where = where(path + PointerFile.SUFFIX);
        return outFor(PointerFile.parse(bytes, where), path, where);
    }

    /**
     * Finds the tracked data {@code dataPath} is, or lies inside; {@code RESOURCE_DOES_NOT_EXIST} when it is neither,
     * or lies "inside" a tracked file.
     */
    Found find(String dataPath) {
        List<String> segs = ArtifactPath.parseLiteral(dataPath).segments();
        for (int i = segs.size(); i >= 1; i--) {
            String tracked = String.join("/", segs.subList(0, i));
            PointerFile.Out o = pointer(tracked);
            if (o == null) continue;
            String inside = i == segs.size() ? null : String.join("/", segs.subList(i, segs.size()));
            if (inside != null && !o.isDirectory()) {
                throw MlvException.notFound("'" + tracked + "' is a tracked file at " + at + " in '" + repo + "', so it has no '" + inside + "'");
            }
            return new Found(tracked, o, inside);
        }
        throw MlvException.notFound("No " + dataPath + PointerFile.SUFFIX + " at " + at + " in '" + repo + "': '" + dataPath
                + "' is not data tracked by mlv there, nor inside a tracked directory");
    }

    /**
     * The remote {@code requested} (null: the default one) of the nearest {@code .mlv/config} at or above the folder
     * of {@code trackedPath}, at the commit. A relative local remote path is resolved against the source repository
     * (the clone, for a cloned one), as {@link DataRepo#openRemote} does; a local remote must exist.
     */
    RemoteRef remote(String trackedPath, String requested) {
        List<String> segs = ArtifactPath.parseLiteral(trackedPath).segments();
        String mlvRoot = null;
        byte[] configBytes = null;
        for (int i = segs.size() - 1; i >= 0 && configBytes == null; i--) {
            mlvRoot = String.join("/", segs.subList(0, i));
            configBytes = file((mlvRoot.isEmpty() ? "" : mlvRoot + "/") + DataRepo.DIR + "/config");
        }
        if (configBytes == null) {
            throw MlvException.notFound("No " + DataRepo.DIR + "/config at " + at + " in '" + repo + "': not an mlv data repository");
        }
        String configPath = (mlvRoot.isEmpty() ? "" : mlvRoot + "/") + DataRepo.DIR + "/config";
        DataConfig config = DataConfig.parse(configBytes, where(configPath));
        String known = config.remotes().isEmpty() ? "it lists none"
                : "it lists " + String.join(", ", new TreeSet<>(config.remotes().keySet()));
        String name = requested != null ? requested : config.defaultRemote();
        if (name == null) {
            throw MlvException.invalid("The " + configPath + " of '" + repo + "' at " + at + " names no default remote: choose one with -r ("
                    + known + ")");
        }
        String configured = config.remotes().get(name);
        if (configured == null) {
            throw MlvException.invalid("No remote '" + name + "' in the " + configPath + " of '" + repo + "' at " + at + " (" + known + ")");
        }
        String url = DataRepo.resolveRemoteUrl(top.resolve(mlvRoot), configured);
        requireLocalRemoteExists(name, configured, url);
        return new RemoteRef(name, configured, url, config.options(name));
    }

    /**
     * The manifest of the tracked directory {@code found}, from {@code cache}, downloaded (verified) from
     * {@code remote} first when the cache lacks it.
     */
    static Manifest manifest(Cache cache, Remote remote, RemoteRef ref, Found found) {
        String name = found.out().digest();
        if (!cache.contains(name)) {
            try (InputStream in = remote.open(name)) {
                cache.importVerified(name, in, remote.url());
            } catch (IOException | RuntimeException e) {
                throw new MlvException(e instanceof MlvException m ? m.code() : ErrorCode.INVALID_STATE, "Cannot get the manifest of "
                        + found.path() + " from remote '" + ref.name() + "' (" + remote.url() + "): " + e.getMessage());
            }
        }
        return cache.readManifest(name);
    }

    /**
     * The part {@code found.inside()} of a tracked directory as an out of its own named {@code name}: one file of the
     * directory's manifest (downloaded first when the cache lacks it), or a manifest of the files below a sub-folder,
     * stored in {@code cache}, so that a fetch downloads only those files.
     */
    PointerFile.Out part(Cache cache, Remote remote, RemoteRef ref, Found found, String name) {
        Manifest m = manifest(cache, remote, ref, found);
        String inside = found.inside();
        String prefix = inside + "/";
        List<Manifest.Entry> below = new ArrayList<>();
        for (Manifest.Entry e : m.entries()) {
            if (e.relpath().equals(inside)) return new PointerFile.Out(name, e.digest(), e.size(), null);
            if (e.relpath().startsWith(prefix)) below.add(new Manifest.Entry(e.relpath().substring(prefix.length()), e.digest(), e.size()));
        }
        if (below.isEmpty()) {
            throw MlvException.notFound("No '" + inside + "' in the tracked directory '" + found.path() + "' at " + at
                    + " (it has " + m.entries().size() + " file(s))");
        }
        Manifest sub = new Manifest(below);
        byte[] bytes = sub.toBytes();
        String digest = Manifest.nameOf(bytes);
        cache.put(digest, bytes);
        return new PointerFile.Out(name, digest, sub.totalSize(), below.size());
    }

    private static PointerFile.Out outFor(PointerFile pf, String dataPath, String where) {
        String dir = dataPath.contains("/") ? dataPath.substring(0, dataPath.lastIndexOf('/') + 1) : "";
        for (PointerFile.Out o : pf.outs()) {
            if (ArtifactPath.parseLiteral(dir + o.path()).toString().equals(dataPath)) return o;
        }
        if (pf.outs().size() == 1) return pf.outs().get(0);
        throw MlvException.invalid("Malformed pointer file " + where + ": none of its outs is " + dataPath);
    }

    /** A local remote must exist: opening it would create an empty folder (and then report every object missing). */
    private void requireLocalRemoteExists(String name, String configured, String url) {
        String scheme = ArtifactStores.schemeOf(url);
        if (scheme != null && !scheme.equals("file")) return;
        Path p = scheme == null ? Path.of(url) : ArtifactStores.fileUriPath(url);
        if (Files.isDirectory(p)) return;
        boolean relative = ArtifactStores.schemeOf(configured) == null && !Path.of(configured).isAbsolute();
        throw MlvException.notFound("Remote '" + name + "' of '" + repo + "' is the folder " + p + ", which does not exist"
                + (relative && cloned ? " (its relative path '" + configured + "' is resolved against the cloned repository;"
                + " pass the repository as a local path, or choose another remote with -r)" : ""));
    }
}
