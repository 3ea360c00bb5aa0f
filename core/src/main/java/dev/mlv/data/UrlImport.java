package dev.mlv.data;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mlv data import-url} (DVC's): one file from a URL (s3://, http(s)://, or a local path outside the repository)
 * downloaded into the cache and the workspace, with a pointer that records the URL and the version downloaded
 * ({@link PointerFile.External}). {@code mlv data update} downloads it again when the source holds another version,
 * {@code status} reports that, and {@code fetch} downloads it from the URL when the remote lacks it and the source still
 * holds the same version. The bytes are pushed to remotes like data added here.
 *
 * <p>As with {@link DataImport}, the data is in the cache (durable) and checked out before the pointer is written, so
 * an interrupted import leaves at most untracked data, never a pointer without its object.
 */
public final class UrlImport {
    private UrlImport() {
    }

    /** What an import or update did: the pointer now, the version it replaced (null for a new import), whether the bytes changed. */
    public record Result(DataRepo.Tracked tracked, PointerFile.External previous, boolean changed) {
    }

    /** An import-url target and the reason its source could not be asked. */
    public record Problem(DataRepo.Target target, String reason) {
    }

    /**
     * Imports the file at {@code url} to {@code out} (null: the URL's last segment in {@code base}, the folder relative
     * paths are resolved against).
     */
    public static Result importUrl(DataRepo r, Path base, String url, Path out) {
        UrlReaders.of(url); // checks the URL before anything else
        boolean local = isLocal(url);
        Path source = local ? base.resolve(UrlReaders.localPath(url)).toAbsolutePath().normalize() : null;
        if (local) requireOutside(r, source, url);
        String name = local ? String.valueOf(source.getFileName()) : lastSegment(url);
        if (out == null && (name == null || name.isEmpty())) {
            throw MlvException.invalid("'" + url + "' ends without a file name: name the output (OUT)");
        }
        Path pointer = DataImport.newPointer(r, out != null ? out : base.resolve(name));
        // a local source is stored relative to the pointer's folder, so both can move together (as 'import' does)
        String stored = local ? DataImport.relativeUrl(pointer.getParent(), source) : url;
        return download(r, stored, local ? source.toString() : url, new DataRepo.Tracked(pointer, null), false);
    }

    /**
     * Downloads each target's file again when its source holds another version than the one its pointer records (or
     * the workspace lacks it); uncommitted changes to the data are never overwritten unless {@code force}.
     */
    public static List<Result> update(DataRepo r, List<DataRepo.Target> targets, boolean force) {
        List<Result> results = new ArrayList<>();
        for (DataRepo.Target t : targets) {
            PointerFile.External ext = t.tracked().file().external();
            String location = location(t.tracked(), ext);
            UrlReader.Version now = UrlReaders.of(location).version(location);
            if (ext.sameVersion(now) && r.status(List.of(new DataRepo.Target(t.tracked(), null))).isEmpty()) {
                results.add(new Result(t.tracked(), ext, false));
            } else {
                results.add(download(r, ext.url(), location, t.tracked(), force));
            }
        }
        return results;
    }

    /** The import-url targets among {@code targets}. */
    public static List<DataRepo.Target> imported(List<DataRepo.Target> targets) {
        return targets.stream().filter(t -> t.tracked().file().external() != null).toList();
    }

    /**
     * Downloads the objects of import-url {@code targets} from their URLs into the cache, verified against the pointer's
     * digest; a source that holds another version now is a failure that says to update.
     */
    public static DataRepo.TransferResult fetch(DataRepo r, List<DataRepo.Target> targets) {
        int transferred = 0;
        long bytes = 0;
        List<String> failures = new ArrayList<>();
        for (DataRepo.Target t : targets) {
            PointerFile.External ext = t.tracked().file().external();
            PointerFile.Out o = t.tracked().file().outs().get(0);
            if (r.cache().contains(o.digest())) continue;
            String location = location(t.tracked(), ext);
            String moved = location + " holds another version now than " + r.root().relativize(t.tracked().pointer()) + " records ("
                    + ext.version() + "): 'mlv data update " + r.root().relativize(t.tracked().pointer()) + "' takes it";
            try (UrlReader.Opened in = UrlReaders.of(location).open(location)) {
                if (in.version().hasTag() && !ext.sameVersion(in.version())) {
                    failures.add(moved);
                    continue;
                }
                try {
                    bytes += r.cache().importVerified(o.digest(), counted(r, in, location), location);
                    transferred++;
                } catch (MlvException e) {
                    // without a tag to tell, other bytes than the pointer's digest mean the source changed
                    if (e.code() != ErrorCode.INVALID_STATE || in.version().hasTag()) throw e;
                    failures.add(moved);
                }
            } catch (MlvException | UncheckedIOException | IOException e) {
                failures.add(location + ": " + e.getMessage());
            }
        }
        r.cache().sync();
        return new DataRepo.TransferResult(transferred, bytes, 0, failures);
    }

    /**
     * Of the import-url {@code targets}, those whose source holds another version now than their pointer records, as
     * {@link DataImport.SourceMove}s; sources that cannot be asked go to {@code problems}. Asks a few at a time.
     */
    static List<DataImport.SourceMove> moved(List<DataRepo.Target> targets, List<Problem> problems) {
        List<DataImport.SourceMove> moved = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Problem> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        Parallel.forEach(imported(targets), DataImport.SOURCE_CHECKS_IN_PARALLEL, t -> {
            PointerFile.External ext = t.tracked().file().external();
            String location = location(t.tracked(), ext);
            try {
                UrlReader.Version now = UrlReaders.of(location).version(location);
                if (!ext.sameVersion(now)) {
                    moved.add(new DataImport.SourceMove(t, location + " changed: " + ext.version() + " → "
                            + PointerFile.External.of(ext.url(), now).version()));
                }
            } catch (RuntimeException e) {
                failed.add(new Problem(t, e.getMessage()));
            }
        });
        problems.addAll(failed);
        return moved;
    }

    /** Reads {@code location} into the cache, checks it out where {@code at} says, then writes its pointer. */
    private static Result download(DataRepo r, String stored, String location, DataRepo.Tracked at, boolean force) {
        Path pointer = at.pointer();
        String name = pointer.getFileName().toString();
        name = name.substring(0, name.length() - PointerFile.SUFFIX.length());
        Hashing.Result h;
        UrlReader.Version v;
        try (UrlReader.Opened in = UrlReaders.of(location).open(location)) {
            h = r.cache().add(counted(r, in, location), location);
            v = in.version();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + location + ": " + e.getMessage(), e);
        }
        r.cache().sync(); // the object durable before a pointer names it
        if (!v.hasTag()) v = new UrlReader.Version(null, null, h.size(), h.digest());
        PointerFile next = new PointerFile(List.of(new PointerFile.Out(name, h.digest(), h.size(), null)), null,
                PointerFile.External.of(stored, new UrlReader.Version(v.etag(), v.modified(), h.size(), v.digest())));
        r.checkout(List.of(new DataRepo.Target(new DataRepo.Tracked(pointer, next), null)), force);
        next.write(pointer);
        r.ensureGitignored(pointer.resolveSibling(name));
        PointerFile.External previous = at.file() == null ? null : at.file().external();
        boolean changed = at.file() == null || !at.file().outs().get(0).digest().equals(h.digest());
        return new Result(new DataRepo.Tracked(pointer, next), previous, changed);
    }

    /** The body of {@code in}, advancing a progress bar as it is read. */
    private static InputStream counted(DataRepo r, UrlReader.Opened in, String location) {
        Long size = in.version().size();
        Progress.Task task = r.progress().start("downloading " + location, size == null ? 0 : size, true);
        return new FilterInputStream(in.body()) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) task.advance(n);
                return n;
            }

            @Override
            public void close() throws IOException {
                task.close();
                super.close();
            }
        };
    }

    /** Where the source of {@code t} is: its URL, or the absolute path of a local source. */
    private static String location(DataRepo.Tracked t, PointerFile.External ext) {
        if (!isLocal(ext.url())) return ext.url();
        Path p = UrlReaders.localPath(ext.url());
        return (p.isAbsolute() ? p : t.pointer().getParent().resolve(p)).toAbsolutePath().normalize().toString();
    }

    private static boolean isLocal(String url) {
        String scheme = ArtifactStores.schemeOf(url);
        return scheme == null || scheme.equals("file");
    }

    /** A local source inside the repository is data to add, not to import. */
    private static void requireOutside(DataRepo r, Path source, String url) {
        Path real;
        try {
            real = source.toRealPath();
        } catch (IOException e) {
            throw MlvException.notFound("No such file: " + url);
        }
        Path root;
        try {
            root = r.root().toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (real.startsWith(root)) {
            throw MlvException.invalid("'" + url + "' is inside this repository: track it with 'mlv data add' instead");
        }
    }

    /** The last segment of a URL's path (percent-decoded), without query; null when the path ends with '/'. */
    static String lastSegment(String url) {
        String path;
        try {
            path = URI.create(url).getRawPath();
        } catch (IllegalArgumentException e) {
            path = url;
        }
        if (path == null) return null;
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isEmpty() ? null : URLDecoder.decode(last.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
