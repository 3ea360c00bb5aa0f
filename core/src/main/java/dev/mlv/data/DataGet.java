package dev.mlv.data;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code mlv data get} (DVC's {@code dvc get}): downloads data that another git repository tracks with mlv, as of a
 * revision, from that repository's data remote, to a path that does not exist yet. It needs no repository around the
 * destination and writes no pointer file. The path may also name a file or sub-folder inside a tracked directory: then
 * the directory's manifest is downloaded first, and only the files of that part after it.
 *
 * <p>The repository is read (or cloned) as {@link SourceRepo} says: the pointer {@code PATH.mlv} and the nearest
 * {@code .mlv/config} above it at the revision, and the remote that config names.
 *
 * <p>Everything happens in one hidden folder beside the destination, {@code .OUT.mlv-get-<random>/}: the clone, and
 * a throwaway {@link DataRepo} whose {@link DataRepo#fetch fetch} verifies every object's SHA-256 (directories: their
 * manifest, then all their files) and whose {@link DataRepo#checkout checkout} assembles the data. Only complete data
 * is renamed to the destination (same folder, so one rename); the hidden folder is removed in every case, so a
 * failure (missing or corrupt object, unreachable remote) leaves no partial output.
 */
public final class DataGet {
    private static final String DATA = "data";

    private DataGet() {
    }

    /**
     * What to get.
     *
     * @param repo   git repository: a local path (against the base folder) or any URL {@code git clone} understands
     * @param path   the tracked file or directory, relative to the top of that repository
     * @param rev    commit, tag or branch; null for the repository's HEAD
     * @param remote remote name in the source's {@code .mlv/config}; null for its default remote
     * @param out    destination (against the base folder); null for the last segment of {@code path}
     * @param force  replace an existing {@code out} (once the new data is complete), as DVC's {@code --force}
     * @param jobs   objects to download at once, 1 to {@value Remotes#MAX_JOBS}; 0 for the remote's default
     */
    public record Request(String repo, String path, String rev, String remote, String out, boolean force, int jobs) {
        public Request {
            if (jobs != 0) Remotes.requireJobs(jobs);
        }
    }

    /**
     * What was got.
     *
     * @param commit    the full id of the commit the data was taken from
     * @param path      the data path in the source repository (normalised)
     * @param remoteUrl the remote it was downloaded from (a relative local path resolved)
     * @param out       where it is now (absolute)
     * @param directory whether it is a directory
     * @param files     number of files (1 for a file)
     * @param bytes     total size
     * @param fetched   what the download did
     */
    public record Result(String commit, String path, String remoteUrl, Path out, boolean directory, int files, long bytes,
                         DataRepo.TransferResult fetched) {
    }

    /** Gets the data; {@code base} is the folder relative paths are resolved against (the current folder). */
    public static Result get(Path base, Request req, Function<Path, StateCache> stateFactory, Progress progress) {
        if (req.repo() == null || req.repo().isBlank()) throw MlvException.invalid("REPO must not be empty");
        String dataPath = dataPath(req.path());
        if (req.rev() != null) Git.requireRevision(req.rev());
        Path out = output(base, req.out(), dataPath.substring(dataPath.lastIndexOf('/') + 1));
        return assembled(base, out, req.out(), req.force(), work -> get(base, req, dataPath, out, work, stateFactory, progress));
    }

    /**
     * What {@link #getUrl} got.
     *
     * @param out       where it is now (absolute)
     * @param directory whether it is a folder
     * @param files     number of files (1 for a file)
     * @param bytes     total size
     */
    public record UrlResult(Path out, boolean directory, int files, long bytes) {
    }

    /**
     * {@code mlv data get-url} (DVC's {@code dvc get-url}): downloads the file or folder at {@code url}, any source
     * {@code import-url} reads, to {@code out} (null: the URL's last segment in {@code base}; an existing folder: that
     * name inside it), without tracking it. As {@link #get}, the data is assembled beside the destination and appears
     * there only once complete; with {@code force} it replaces what is at {@code out}. Relative paths and
     * {@code remote://} URLs are taken from the folder {@code base}. A folder's files download {@code jobs} at once
     * (0: {@value UrlImport#DOWNLOADS_IN_PARALLEL}).
     */
    public static UrlResult getUrl(Path base, String url, String out, boolean force, int jobs,
                                   Function<Path, StateCache> stateFactory, Progress progress) {
        if (jobs != 0) Remotes.requireJobs(jobs);
        try (UrlReader reader = UrlReaders.from(base, url)) {
            Path source = UrlReaders.localSource(base, url);
            boolean local = source != null;
            String location = local ? source.toString() : url;
            String name = local ? (source.getFileName() == null ? null : source.getFileName().toString()) : UrlImport.lastSegment(url);
            if (out == null && name == null) throw MlvException.invalid("'" + url + "' ends without a file name: name the output (OUT)");
            Path o = output(base, out, name);
            if (out != null && name != null && Files.isDirectory(o)) o = o.resolve(name); // as cp, and DVC
            Path target = o;
            if (local && target.startsWith(source)) {
                throw MlvException.invalid("Cannot download " + url + " into itself: choose an OUT outside it");
            }
            return assembled(base, target, out, force, work -> {
                Path ws = DataRepo.init(work.resolve("ws"));
                PointerFile.Out d;
                try (DataRepo r = withJobs(DataRepo.open(ws, "mlv data get-url", stateFactory, progress), jobs)) {
                    d = UrlImport.downloadAll(r, reader, location, DATA).out();
                    r.cache().sync();
                    r.checkout(List.of(new DataRepo.Target(new DataRepo.Tracked(ws.resolve(DATA + PointerFile.SUFFIX), PointerFile.of(d)), null)), false);
                }
                place(ws.resolve(DATA), target, d.isDirectory(), force);
                return new UrlResult(target, d.isDirectory(), d.isDirectory() ? d.nfiles() : 1, d.size());
            });
        }
    }

    /** {@code r}, transferring {@code jobs} objects at once (0: as its remote says). */
    private static DataRepo withJobs(DataRepo r, int jobs) {
        return jobs == 0 ? r : r.jobs(jobs);
    }

    /**
     * Runs {@code assemble} with a new hidden folder beside {@code out}, which is removed afterwards in every case
     * (and on Ctrl-C); so are the folders above {@code out} created for it when {@code assemble} fails. An existing
     * {@code out} is refused unless {@code force}, and even then when it holds the current folder {@code base}.
     */
    private static <T> T assembled(Path base, Path out, String shown, boolean force, Function<Path, T> assemble) {
        if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
            if (!force) throw outExists(shown != null ? shown : out.getFileName().toString());
            if (base.toAbsolutePath().normalize().startsWith(out)) {
                throw MlvException.invalid("Will not replace '" + (shown != null ? shown : out) + "': it holds the current folder");
            }
        }
        Path parent = out.getParent();
        Path firstCreated = null;
        for (Path d = parent; d != null && !Files.exists(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) firstCreated = d;
        Path work;
        try {
            Files.createDirectories(parent);
            work = Files.createDirectory(parent.resolve("." + out.getFileName() + ".mlv-get-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE)));
        } catch (FileAlreadyExistsException e) {
            throw MlvException.invalid("Cannot write " + out + ": " + e.getFile() + " is not a folder");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + out + ": " + e.getMessage(), e);
        }
        Thread cleanup = new Thread(() -> deleteTree(work), "mlv-data-get-cleanup"); // on Ctrl-C
        Runtime.getRuntime().addShutdownHook(cleanup);
        boolean done = false;
        try {
            T r = assemble.apply(work);
            done = true;
            return r;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down: the hook runs anyway
            }
            deleteTree(work);
            if (!done && firstCreated != null) {
                for (Path d = parent; d != null && d.startsWith(firstCreated); d = d.getParent()) {
                    if (!deleteEmptyFolder(d)) break;
                }
            }
        }
    }

    private static Result get(Path base, Request req, String dataPath, Path out, Path work,
                              Function<Path, StateCache> stateFactory, Progress progress) {
        SourceRepo src = SourceRepo.open(base, req.repo(), req.rev(), work, progress);
        // PATH is tracked itself, or lies inside a tracked directory (then only that part is downloaded)
        SourceRepo.Found found = src.find(dataPath);
        SourceRepo.RemoteRef ref = src.remote(found.path(), req.remote());
        String name = ref.name();
        String url = ref.url();
        PointerFile.Out o = found.out();

        // assemble in a throwaway repository beside OUT, verified as pull verifies, then one rename
        Path ws = DataRepo.init(work.resolve("ws"));
        Path pointer = ws.resolve(DATA + PointerFile.SUFFIX);
        DataRepo.TransferResult fetched;
        try (DataRepo r = withJobs(DataRepo.open(ws, "mlv data get", stateFactory, progress), req.jobs());
             Remote remote = ref.open()) {
            if (found.inside() != null) o = src.part(r.cache(), remote, ref, found, DATA);
            PointerFile.of(new PointerFile.Out(DATA, o.digest(), o.size(), o.nfiles())).write(pointer);
            List<DataRepo.Target> targets = r.targets(List.of(pointer.toString()));
            fetched = r.fetch(remote, targets);
            if (!fetched.ok()) {
                List<String> f = fetched.failures();
                boolean allMissing = f.stream().allMatch(s -> s.contains("is not in remote") || s.contains("does not exist"));
                throw new MlvException(allMissing ? ErrorCode.RESOURCE_DOES_NOT_EXIST : ErrorCode.INVALID_STATE,
                        "Cannot get " + dataPath + " from remote '" + name + "' (" + remote.url() + "): " + f.size() + " object(s) failed: "
                                + String.join("; ", f.subList(0, Math.min(3, f.size()))) + (f.size() > 3 ? "; …" : ""));
            }
            r.checkout(targets, false);
        }
        place(ws.resolve(DATA), out, o.isDirectory(), req.force());
        int files = o.isDirectory() ? o.nfiles() : 1;
        return new Result(src.commit(), dataPath, url, out, o.isDirectory(), files, o.size(), fetched);
    }

    /**
     * Moves the checked-out {@code data} to {@code out} once it is durable: one rename, since both share a folder.
     * With {@code force}, what is at {@code out} is first renamed aside, and deleted only once the data is in its place
     * (put back if that fails).
     */
    private static void place(Path data, Path out, boolean directory, boolean force) {
        try {
            if (directory) Files.createDirectories(data); // an empty directory has no file to check out
            AtomicFiles.durabilityBarrier(data.getParent());
            Path old = force ? setAside(out) : null;
            try {
                Files.move(data, out); // refuses to replace anything (what appeared meanwhile included)
            } catch (IOException | RuntimeException e) {
                if (old != null) putBack(old, out);
                throw e;
            }
            AtomicFiles.fsyncDirectory(out.getParent());
            if (old != null) deleteTree(old);
        } catch (FileAlreadyExistsException e) {
            throw outExists(out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move the data to " + out + ": " + e.getMessage(), e);
        }
    }

    /** Renames what is at {@code out} to a hidden name beside it, and returns that; null when nothing is there. */
    private static Path setAside(Path out) throws IOException {
        if (!Files.exists(out, LinkOption.NOFOLLOW_LINKS)) return null;
        Path old = out.resolveSibling("." + out.getFileName() + ".mlv-replaced-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        Files.move(out, old);
        return old;
    }

    private static void putBack(Path old, Path out) {
        try {
            Files.move(old, out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot put the previous " + out + " back; it is at " + old + ": " + e.getMessage(), e);
        }
    }

    /** PATH as a normalised relative path; a pointer file's name stands for its data. */
    static String dataPath(String raw) {
        if (raw == null || raw.isBlank()) throw MlvException.invalid("PATH must not be empty");
        ArtifactPath p;
        try {
            p = ArtifactPath.parseLiteral(raw);
        } catch (MlvException e) {
            throw MlvException.invalid("Invalid PATH '" + raw + "' (a path relative to the top of the repository): " + e.getMessage());
        }
        String s = p.toString();
        if (s.endsWith(PointerFile.SUFFIX) && s.length() > PointerFile.SUFFIX.length()
                && !s.endsWith("/" + PointerFile.SUFFIX)) {
            s = s.substring(0, s.length() - PointerFile.SUFFIX.length());
        }
        if (p.isRoot() || s.isEmpty()) throw MlvException.invalid("PATH must name a tracked file or directory, not '" + raw + "'");
        return s;
    }

    /** {@code raw} (else {@code name}) against {@code base}. */
    private static Path output(Path base, String raw, String name) {
        name = raw != null ? raw : name;
        if (name.isBlank()) throw MlvException.invalid("OUT must not be empty");
        try {
            Path out = base.resolve(name).toAbsolutePath().normalize();
            if (out.getParent() == null) throw MlvException.invalid("OUT must not be the root folder");
            return out;
        } catch (InvalidPathException e) {
            throw MlvException.invalid("Invalid OUT '" + name + "': " + e.getMessage());
        }
    }

    private static MlvException outExists(String shown) {
        return MlvException.alreadyExists("'" + shown + "' already exists: choose another OUT, or remove it first");
    }

    private static boolean deleteEmptyFolder(Path d) {
        try {
            Files.delete(d);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Removes a tree, read-only files (cache objects, git objects) included; best effort. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        } catch (IOException | UncheckedIOException e) {
            // delete what was listed
        }
        all.sort(Comparator.reverseOrder());
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                p.toFile().setWritable(true);
                p.getParent().toFile().setWritable(true);
                AtomicFiles.deleteQuietly(p);
            }
        }
    }
}
