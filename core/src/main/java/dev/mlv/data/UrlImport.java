package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code mlv data import-url} (DVC's): a file or folder from a URL (s3://, http(s)://, or a local path outside the
 * repository; folders from s3:// prefixes and local paths) downloaded into the cache and the workspace, with a pointer
 * that records the URL and the version downloaded ({@link PointerFile.External}). {@code mlv data update} downloads it again when the source holds another version,
 * {@code status} reports that, and {@code fetch} downloads it from the URL when the remote lacks it and the source still
 * holds the same version. The bytes are pushed to remotes like data added here.
 *
 * <p>As with {@link DataImport}, the data is in the cache (durable) and checked out before the pointer is written, so
 * an interrupted import leaves at most untracked data, never a pointer without its object.
 */
public final class UrlImport {
    private UrlImport() {
    }

    /**
     * What an import or update did: the pointer now, the version it replaced (null for a new import), and whether the
     * bytes changed.
     */
    public record Result(DataRepo.Tracked tracked, PointerFile.External previous, boolean changed) {
    }

    /**
     * Imports the file or folder at {@code url} to {@code out} (null: the URL's last segment in {@code base}, the folder
     * relative paths are resolved against).
     */
    public static Result importUrl(DataRepo r, Path base, String url, Path out) {
        return importUrl(r, base, url, out, null);
    }

    /**
     * As {@link #importUrl(DataRepo, Path, String, Path)}; with a {@code remote} (DVC's {@code --to-remote}) the data
     * goes straight to it instead, a file at a time through a temp file that is deleted once uploaded, and neither the
     * cache nor the workspace receive it: only the pointer (and the {@code .gitignore} entry) is written, once every
     * object is on the remote. {@code mlv data pull} brings the data here later.
     */
    public static Result importUrl(DataRepo r, Path base, String url, Path out, Remote remote) {
        UrlReaders.of(url, r).close(); // checks the URL before anything else
        Path source = UrlReaders.localSource(base, url);
        boolean local = source != null;
        if (local) requireOutside(r, source, url);
        String name = local ? String.valueOf(source.getFileName()) : lastSegment(url);
        if (out == null && (name == null || name.isEmpty())) {
            throw MlvException.invalid("'" + url + "' ends without a file name: name the output (OUT)");
        }
        Path pointer = DataImport.newPointer(r, out != null ? out : base.resolve(name));
        // a local source is stored relative to the pointer's folder, so both can move together (as 'import' does)
        String stored = local ? DataImport.relativeUrl(pointer.getParent(), source) : url;
        return download(r, stored, local ? source.toString() : url, new DataRepo.Tracked(pointer, null), false, remote);
    }

    /**
     * Downloads each target's data again when its source holds another version than the one its pointer records; the
     * version recorded is checked out from the cache where the workspace differs from it (downloaded when the cache
     * lacks it too). Uncommitted changes to the data are never overwritten unless {@code force}.
     */
    public static List<Result> update(DataRepo r, List<DataRepo.Target> targets, boolean force) {
        return update(r, targets, force, null);
    }

    /**
     * As {@link #update(DataRepo, List, boolean)}; with a {@code remote} (DVC's {@code --to-remote}) a source that
     * changed goes straight to that remote as {@link #importUrl(DataRepo, Path, String, Path, Remote)} does, and only
     * the pointer changes here; one that did not change is left as it is.
     */
    public static List<Result> update(DataRepo r, List<DataRepo.Target> targets, boolean force, Remote remote) {
        List<Result> results = new ArrayList<>();
        for (DataRepo.Target t : targets) {
            PointerFile.External ext = t.tracked().file().external();
            String location = location(t.tracked(), ext);
            UrlReader.Version now = currentVersion(r, location);
            DataRepo.Target whole = new DataRepo.Target(t.tracked(), null);
            if (ext.sameVersion(now) && remote != null) {
                results.add(new Result(t.tracked(), ext, false));
                continue;
            }
            if (ext.sameVersion(now)) {
                boolean clean = r.status(List.of(whole)).isEmpty();
                if (!clean && DataImport.lacking(r, List.of(whole)).isEmpty()) {
                    r.checkout(List.of(whole), force); // from the cache; refuses to overwrite uncommitted changes unless force
                    clean = true;
                }
                if (clean) {
                    results.add(new Result(t.tracked(), ext, false));
                    continue;
                }
            }
            results.add(download(r, ext.url(), location, t.tracked(), force, remote));
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
            String location = location(t.tracked(), ext);
            String moved = location + " holds another version now than " + r.root().relativize(t.tracked().pointer()) + " records ("
                    + ext.version() + "): 'mlv data update " + r.root().relativize(t.tracked().pointer()) + "' takes it";
            try {
                if (o.isDirectory()) {
                    // a folder comes again whole (its manifest may be gone too); other bytes mean another version
                    Download d = downloadAll(r, location, o.path());
                    if (!d.out().digest().equals(o.digest())) {
                        failures.add(moved);
                        continue;
                    }
                    transferred += d.out().nfiles();
                    bytes += d.out().size();
                    continue;
                }
                try (UrlReader reader = UrlReaders.of(location, r); UrlReader.Opened in = reader.open(location)) {
                    if (in.version().hasTag() && !ext.sameVersion(in.version())) {
                        failures.add(moved);
                        continue;
                    }
                    bytes += r.cache().importVerified(o.digest(), counted(r, in.body(), in.version().size(), location), location);
                    transferred++;
                } catch (MlvException e) {
                    // without a tag to tell, other bytes than the pointer's digest mean the source changed
                    if (e.code() != ErrorCode.INVALID_STATE || ext.etag() != null || ext.modified() != null) throw e;
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
    static List<DataImport.SourceMove> moved(DataRepo r, List<DataRepo.Target> targets, List<DataImport.SourceProblem> problems) {
        List<DataImport.SourceMove> moved = java.util.Collections.synchronizedList(new ArrayList<>());
        List<DataImport.SourceProblem> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        Parallel.forEach(imported(targets), DataImport.SOURCE_CHECKS_IN_PARALLEL, t -> {
            PointerFile.External ext = t.tracked().file().external();
            String location = location(t.tracked(), ext);
            try {
                UrlReader.Version now = currentVersion(r, location);
                if (!ext.sameVersion(now)) {
                    moved.add(new DataImport.SourceMove(t, location + " changed: " + ext.version() + " → "
                            + PointerFile.External.of(ext.url(), now).version()));
                }
            } catch (RuntimeException e) {
                failed.add(new DataImport.SourceProblem(t, e.getMessage()));
            }
        });
        problems.addAll(failed);
        return moved;
    }

    /**
     * Reads {@code location} into the cache, checks it out where {@code at} says, then writes its pointer; with a
     * {@code remote}, uploads it there instead and writes only the pointer.
     */
    private static Result download(DataRepo r, String stored, String location, DataRepo.Tracked at, boolean force, Remote remote) {
        Path pointer = at.pointer();
        Download d;
        try (UrlReader reader = UrlReaders.of(location, r)) {
            d = downloadAll(r, reader, location, DataImport.dataName(pointer), remote == null ? cacheSink(r) : remoteSink(r, remote));
        }
        PointerFile next = new PointerFile(List.of(d.out()), null, PointerFile.External.of(stored, d.version()));
        if (remote != null) {
            remote.flush(); // the objects durable before a pointer names them
            DataImport.writePointerOnly(r, pointer, next);
        } else {
            r.cache().sync(); // the objects durable before a pointer names them
            r.checkout(List.of(new DataRepo.Target(new DataRepo.Tracked(pointer, next), null)), force);
            DataImport.writePointer(r, pointer, next);
        }
        PointerFile.External previous = at.file() == null ? null : at.file().external();
        boolean changed = at.file() == null || !at.file().outs().get(0).digest().equals(d.out().digest());
        return new Result(new DataRepo.Tracked(pointer, next), previous, changed);
    }

    /** What {@link #downloadAll} put in the cache: the pointer's entry, and the version of the source it came from. */
    record Download(PointerFile.Out out, UrlReader.Version version) {
    }

    /** Files of a folder downloaded at once: each is mostly waiting on the network. */
    static final int DOWNLOADS_IN_PARALLEL = 8;

    /**
     * Downloads the file or folder at {@code location} into the cache (a folder's files in parallel, then its manifest),
     * as the pointer entry {@code name}. The version is the source's tag; for a folder the digest of its files' tags
     * ({@link #listingTag}); without tags, the digest of the bytes (a file's, or a folder's manifest name).
     */
    private static Download downloadAll(DataRepo r, String location, String name) {
        try (UrlReader reader = UrlReaders.of(location, r)) {
            return downloadAll(r, reader, location, name);
        }
    }

    static Download downloadAll(DataRepo r, UrlReader reader, String location, String name) {
        return downloadAll(r, reader, location, name, cacheSink(r));
    }

    /** Where {@link #downloadAll} puts the objects it reads: the cache, or a remote. */
    interface Sink {
        /** Stores the bytes of {@code in} (read from {@code source}) under their digest; returns it and their size. */
        Hashing.Result add(InputStream in, String source);

        /** Stores {@code bytes}, whose digest name is {@code name}. */
        void put(String name, byte[] bytes);
    }

    private static Sink cacheSink(DataRepo r) {
        return new Sink() {
            public Hashing.Result add(InputStream in, String source) {
                return r.cache().add(in, source);
            }

            public void put(String name, byte[] bytes) {
                r.cache().put(name, bytes);
            }
        };
    }

    /** Objects of at least this size are looked up on the remote before they are uploaded to it. */
    static final long LOOKUP_BEFORE_UPLOAD_BYTES = 1 << 20;

    /**
     * Each object written to a temp file of the cache while hashed, uploaded under its digest (unless it is large and
     * the remote holds it already), then deleted.
     */
    private static Sink remoteSink(DataRepo r, Remote remote) {
        return new Sink() {
            public Hashing.Result add(InputStream in, String source) {
                return upload(in, null, source);
            }

            public void put(String name, byte[] bytes) {
                upload(new java.io.ByteArrayInputStream(bytes), name, name);
            }

            /** Uploads the bytes of {@code in} as {@code name} (null: their digest). */
            private Hashing.Result upload(InputStream in, String name, String source) {
                Path t = r.cache().newTemp();
                try {
                    Hashing.Result h;
                    try (FileChannel out = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                        h = Hashing.copy(in, out);
                    }
                    String key = name != null ? name : h.digest();
                    // a large object the remote holds already is not sent again; a small one costs a lookup as much
                    if (h.size() < LOOKUP_BEFORE_UPLOAD_BYTES || !remote.missing(List.of(key)).isEmpty()) remote.upload(key, t, h.size());
                    return h;
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + source + ": " + e.getMessage(), e);
                } finally {
                    AtomicFiles.deleteQuietly(t);
                }
            }
        };
    }

    static Download downloadAll(DataRepo r, UrlReader reader, String location, String name, Sink sink) {
        List<UrlReader.Listed> files = listing(reader, location);
        if (files.isEmpty()) {
            try (UrlReader.Opened in = reader.open(location)) {
                Hashing.Result h = sink.add(counted(r, in.body(), in.version().size(), location), location);
                UrlReader.Version v = in.version();
                return new Download(new PointerFile.Out(name, h.digest(), h.size(), null), v.hasTag()
                        ? new UrlReader.Version(v.etag(), v.modified(), h.size(), null) : new UrlReader.Version(null, null, h.size(), h.digest()));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + location + ": " + e.getMessage(), e);
            }
        }
        long total = files.stream().mapToLong(f -> f.version().size() == null ? 0 : f.version().size()).sum();
        List<Manifest.Entry> entries = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Progress.Task task = r.progress().start("downloading " + location, total, true)) {
            List<Parallel.Failure<UrlReader.Listed>> failed = Parallel.forEach(files, r.parallelism(DOWNLOADS_IN_PARALLEL), f -> {
                String url = reader.child(location, f.relpath());
                try (UrlReader.Opened in = reader.open(url)) {
                    Hashing.Result h = sink.add(counted(task, in.body()), url);
                    entries.add(new Manifest.Entry(f.relpath(), h.digest(), h.size()));
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
                }
            });
            if (!failed.isEmpty()) throw failed.get(0).error();
        }
        Manifest m = new Manifest(entries);
        byte[] json = m.toBytes();
        String manifest = Manifest.nameOf(json);
        sink.put(manifest, json); // after every file: a remote never holds a manifest whose files it lacks
        boolean tagged = files.stream().allMatch(f -> f.version().hasTag());
        return new Download(new PointerFile.Out(name, manifest, m.totalSize(), entries.size()),
                new UrlReader.Version(tagged ? listingTag(files) : null, null, m.totalSize(), tagged ? null : manifest));
    }

    /** The version the source at {@code location} holds now, as {@link #downloadAll} records it, downloading nothing it need not. */
    private static UrlReader.Version currentVersion(DataRepo r, String location) {
        try (UrlReader reader = UrlReaders.of(location, r)) {
            return currentVersion(reader, location);
        }
    }

    private static UrlReader.Version currentVersion(UrlReader reader, String location) {
        List<UrlReader.Listed> files = listing(reader, location);
        if (files.isEmpty()) return reader.version(location);
        long total = files.stream().mapToLong(f -> f.version().size() == null ? 0 : f.version().size()).sum();
        if (files.stream().allMatch(f -> f.version().hasTag())) return new UrlReader.Version(listingTag(files), null, total, null);
        List<Manifest.Entry> entries = new ArrayList<>();
        for (UrlReader.Listed f : files) {
            UrlReader.Version v = reader.version(reader.child(location, f.relpath()));
            entries.add(new Manifest.Entry(f.relpath(), v.digest(), v.size()));
        }
        return new UrlReader.Version(null, null, total, new Manifest(entries).name());
    }

    /** The files of the folder at {@code location} (none for a file), each path checked as a path inside the data. */
    private static List<UrlReader.Listed> listing(UrlReader reader, String location) {
        List<UrlReader.Listed> files = reader.list(location);
        for (UrlReader.Listed f : files) {
            try {
                if (dev.mlv.artifacts.ArtifactPath.parseLiteral(f.relpath()).isRoot()) throw MlvException.invalid("empty path");
            } catch (MlvException e) {
                throw MlvException.invalid("Cannot import " + location + ": it holds '" + f.relpath() + "', which is no path "
                        + "inside a folder (" + e.getMessage() + ")");
            }
        }
        return files;
    }

    /** A folder's version from its files' tags: the SHA-256 of its sorted lines {@code relpath, tag, size}. */
    static String listingTag(List<UrlReader.Listed> files) {
        StringBuilder b = new StringBuilder();
        files.stream().sorted(java.util.Comparator.comparing(UrlReader.Listed::relpath)).forEach(f -> b.append(f.relpath()).append('\t')
                .append(f.version().etag() != null ? f.version().etag() : f.version().modified()).append('\t')
                .append(f.version().size()).append('\n'));
        return Digests.sha256(b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** {@code body}, advancing its own progress bar as it is read. */
    private static InputStream counted(DataRepo r, InputStream body, Long size, String location) {
        Progress.Task task = r.progress().start("downloading " + location, size == null ? 0 : size, true);
        return new FilterInputStream(counted(task, body)) {
            @Override
            public void close() throws IOException {
                task.close();
                super.close();
            }
        };
    }

    /** {@code body}, advancing {@code task} as it is read. */
    private static InputStream counted(Progress.Task task, InputStream body) {
        return new FilterInputStream(body) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) task.advance(n);
                return n;
            }
        };
    }

    /** Where the source of {@code t} is: its URL, or the absolute path of a local source. */
    private static String location(DataRepo.Tracked t, PointerFile.External ext) {
        if (!UrlReaders.isLocal(ext.url())) return ext.url();
        Path p = UrlReaders.localPath(ext.url());
        return (p.isAbsolute() ? p : t.pointer().getParent().resolve(p)).toAbsolutePath().normalize().toString();
    }

    /** A local source inside the repository (symlinks followed) is data to add, not to import. */
    private static void requireOutside(DataRepo r, Path source, String url) {
        if (!Files.exists(source)) throw MlvException.notFound("No such file: " + url);
        try {
            if (source.toRealPath().startsWith(r.root().toRealPath())) {
                throw MlvException.invalid("'" + url + "' is inside this repository: track it with 'mlv data add' instead");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The last segment of a URL's path (percent-decoded), without query or trailing '/'; null when there is none, or
     * when it is no plain file name ({@code ..}, or a '/' once decoded).
     */
    static String lastSegment(String url) {
        String path;
        try {
            path = URI.create(url).getRawPath();
        } catch (IllegalArgumentException e) {
            path = url;
        }
        if (path == null) return null;
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1); // a folder's URL may end with '/'
        String last = URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
        try {
            return dev.mlv.artifacts.ArtifactPath.parseLiteral(last).toString().equals(last) && !last.isEmpty() ? last : null;
        } catch (MlvException e) {
            return null;
        }
    }
}
