package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The local content-addressed store: {@code <root>/sha256/ab/cdef…}, one read-only file per object, named by the
 * SHA-256 of its bytes ({@code .dir} for directory manifests).
 *
 * <p>Every object is written to a temp file under {@code <root>/tmp/} while its bytes are hashed, then renamed to its
 * name: a reader (or a process killed at any moment) never sees a partial object under a valid name. What is written
 * is exactly what was hashed, so an object's name always matches its content. Small objects are not fsynced one by
 * one; callers make a batch durable with {@link #sync()} before they write the pointer that refers to it.
 */
public final class Cache {
    private static final Set<PosixFilePermission> READ_ONLY = PosixFilePermissions.fromString("r--r--r--");
    private static final FileAttribute<?>[] READ_ONLY_ATTRIBUTE = {PosixFilePermissions.asFileAttribute(READ_ONLY)};
    private static final FileAttribute<?>[] NO_ATTRIBUTES = {};
    private static final Set<StandardOpenOption> CREATE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    /** The group's read, write and search bits of a unix mode. */
    private static final int GROUP_RWX = 0070;
    private final Path root;
    private final Path objects;
    private final Path tmp;
    private final Path quarantine;
    private final boolean posix;
    private final boolean groupWritable;
    private final java.util.concurrent.atomic.AtomicReferenceArray<Boolean> prefixReady = new java.util.concurrent.atomic.AtomicReferenceArray<>(256);
    /** Set when objects were written that {@link #sync()} has not made durable yet. */
    private final java.util.concurrent.atomic.AtomicBoolean unsynced = new java.util.concurrent.atomic.AtomicBoolean();

    public Cache(Path root, Path quarantine) {
        this(root, quarantine, false);
    }

    /**
     * A cache at {@code root}; with {@code groupWritable} (DVC's {@code cache.shared group}) the folders it makes are
     * writable by the group too, whatever the umask, so that users of one group can share it (objects are read-only
     * for everyone anyway). Give the top folder the setgid bit ({@code chmod g+s}) to keep the group on new files.
     */
    public Cache(Path root, Path quarantine, boolean groupWritable) {
        this.root = root;
        this.objects = root.resolve(Digests.ALGORITHM);
        this.tmp = root.resolve("tmp");
        this.quarantine = quarantine;
        this.posix = root.getFileSystem().supportedFileAttributeViews().contains("posix");
        this.groupWritable = groupWritable && posix;
        try {
            Files.createDirectories(objects);
            Files.createDirectories(tmp);
            shareFolder(root);
            shareFolder(objects);
            shareFolder(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the cache at " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path objectPath(String name) {
        Digests.requireValid(name);
        return objects.resolve(name.substring(0, 2)).resolve(name.substring(2));
    }

    public boolean contains(String name) {
        return objectPath(name).toFile().isFile(); // java.io: no exception (and its stack trace) for a miss
    }

    /** Of {@code names}, those the cache does not hold. */
    public Set<String> absent(Collection<String> names) {
        return absent(names, this::objectPath);
    }

    /**
     * Of {@code names}, those with no regular file at {@code path.apply(name)}: the names in a folder that does not
     * exist cost one check for the folder, not a {@code stat} each (a fresh cache or remote has no folders).
     */
    static Set<String> absent(Collection<String> names, java.util.function.Function<String, Path> path) {
        Set<String> out = new LinkedHashSet<>();
        Map<Path, Boolean> folders = new HashMap<>();
        for (String n : names) {
            Path p = path.apply(n);
            // java.io's isFile: no exception (and its stack trace) for a miss
            if (!folders.computeIfAbsent(p.getParent(), Files::isDirectory) || !p.toFile().isFile()) out.add(n);
        }
        return out;
    }

    /** The object's size, or -1 when it is absent. */
    public long size(String name) {
        java.io.File f = objectPath(name).toFile();
        long n = f.length();
        return n > 0 || f.isFile() ? n : -1;
    }

    /** True when the object is there with {@code size} bytes: one {@code stat}, also when it is absent (unless empty). */
    public boolean has(String name, long size) {
        java.io.File f = objectPath(name).toFile();
        return f.length() == size && (size > 0 || f.isFile());
    }

    /** Files up to this size are read whole, hashed, then written beside their final name (fewer syscalls). */
    static final int SMALL = 1 << 20;
    /** Each thread's buffer for reading a small file whole: no garbage per file (an add of 100,000 makes no other). */
    private static final ThreadLocal<byte[]> SMALL_BUFFER = ThreadLocal.withInitial(() -> new byte[SMALL + 1]);

    /**
     * Copies {@code src} into the cache, hashing it on the way; returns its digest and size. {@code sizeHint} is the
     * size the caller saw (it only picks how the file is read; what is stored is what was read).
     */
    public Hashing.Result add(Path src, long sizeHint) {
        if (sizeHint <= SMALL) {
            try (InputStream in = Files.newInputStream(src)) {
                byte[] buf = SMALL_BUFFER.get();
                int wanted = (int) Math.max(0, sizeHint) + 1;
                int n = in.readNBytes(buf, 0, wanted); // to the end; a file that grew since is streamed below
                if (n < wanted) {
                    String name = Digests.sha256(buf, n);
                    store(name, buf, n);
                    return new Hashing.Result(name, n);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot add " + src + " to the cache: " + e.getMessage(), e);
            }
        }
        return viaTemp(src.toString(), t -> Hashing.copyToNewFile(src, t, readOnly()));
    }

    /**
     * Adds {@code src} as a copy-on-write clone of it ({@link Reflinks}), then hashes the clone: no bytes are copied and
     * no space is taken, and the object is exactly what was hashed even if {@code src} changes meanwhile. Null, with
     * nothing left behind, where the file system cannot clone.
     */
    public Hashing.Result addClone(Path src) {
        return viaTemp(src.toString(), t -> {
            if (!Reflinks.clone(src, t)) return null;
            if (posix) Files.setPosixFilePermissions(t, READ_ONLY);
            return Hashing.hash(t);
        });
    }

    /** Makes a temp file of {@code src}'s object ({@code write}: its digest, or null for none) and publishes it. */
    private Hashing.Result viaTemp(String src, TempWriter write) {
        Path t = newTemp();
        boolean moved = false;
        try {
            Hashing.Result r = write.to(t);
            if (r == null) return null;
            moved = publish(t, r.digest(), r.size());
            unsynced.set(true);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot add " + src + " to the cache: " + e.getMessage(), e);
        } finally {
            if (!moved) AtomicFiles.deleteQuietly(t);
        }
    }

    private interface TempWriter {
        Hashing.Result to(Path temp) throws IOException;
    }

    /** Writes {@code in} to the temp file, read-only, hashing it on the way. */
    private TempWriter copyOf(InputStream in) {
        return t -> {
            try (FileChannel out = createReadOnly(t)) {
                return Hashing.copy(in, out);
            }
        };
    }

    /** Copies a stream into the cache, hashing it on the way; returns its digest and size. */
    public Hashing.Result add(InputStream in, String source) {
        return viaTemp(source, copyOf(in));
    }

    /** Stores small bytes (a manifest) under {@code name}, which must be their digest name. */
    public void put(String name, byte[] bytes) {
        String actual = Digests.sha256(bytes);
        if (!actual.equals(Digests.hexPart(name))) throw new IllegalArgumentException("digest mismatch for " + name);
        store(name, bytes, bytes.length);
    }

    /** Writes the first {@code length} of {@code bytes}, whose digest name is {@code name}, unless the object is there already. */
    private void store(String name, byte[] bytes, int length) {
        if (has(name, length)) return;
        Path target = objectPath(name);
        Path t = AtomicFiles.tempBeside(target); // same folder: the rename touches one directory
        boolean moved = false;
        try {
            ensurePrefix(name, target);
            try (FileChannel out = createReadOnly(t)) {
                var b = java.nio.ByteBuffer.wrap(bytes, 0, length);
                while (b.hasRemaining()) out.write(b);
            }
            Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            unsynced.set(true);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + name + " to the cache: " + e.getMessage(), e);
        } finally {
            if (!moved) AtomicFiles.deleteQuietly(t); // one syscall less per object when all went well
        }
    }

    /**
     * Stores a downloaded object: the stream is written to a temp file while hashed, and renamed to {@code name} only
     * when its digest matches. A mismatch throws {@code INVALID_STATE} naming {@code source} and leaves nothing.
     */
    public long importVerified(String name, InputStream in, String source) {
        return importVerified(name, source, copyOf(in));
    }

    /**
     * {@link #importVerified(String, InputStream, String)} of a file on this machine (a local remote's object): a large
     * one is copied with direct I/O ({@link Hashing#copyToNewFile}). A missing file is {@code RESOURCE_DOES_NOT_EXIST}.
     */
    public long importVerified(String name, Path file, String source) {
        return importVerified(name, source, t -> copyExisting(file, t, "Object " + name + " is not in remote " + source, readOnly()));
    }

    /** {@link Hashing#copyToNewFile}, where a missing {@code src} is {@code RESOURCE_DOES_NOT_EXIST} saying {@code missing}. */
    private static Hashing.Result copyExisting(Path src, Path dst, String missing, FileAttribute<?>... attrs) throws IOException {
        try {
            return Hashing.copyToNewFile(src, dst, attrs);
        } catch (NoSuchFileException e) {
            if (src.toString().equals(e.getFile())) throw MlvException.notFound(missing);
            throw e;
        }
    }

    /**
     * Writes object {@code name} to a temp file beside where it goes (so the rename stays in one folder: renames across
     * folders, and creating every temp file in one folder, serialize parallel downloads on the folders' locks), and
     * renames it to its name only when its bytes hash to it.
     */
    private long importVerified(String name, String source, TempWriter write) {
        Digests.requireValid(name);
        Path target = objectPath(name);
        Path t = AtomicFiles.tempBeside(target);
        boolean moved = false;
        try {
            ensurePrefix(name, target);
            Hashing.Result r = write.to(t);
            if (!r.digest().equals(Digests.hexPart(name))) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Object " + name + " from " + source
                        + " is corrupt: its bytes hash to " + r.digest() + "; nothing was stored");
            }
            moved = publish(t, name, r.size());
            unsynced.set(true);
            return r.size();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot download " + name + " from " + source + ": " + e.getMessage(), e);
        } finally {
            if (!moved) AtomicFiles.deleteQuietly(t);
        }
    }

    /**
     * Copies an object into the new file {@code dst} (a large one with direct I/O, see {@link Hashing#copyToNewFile})
     * and checks its digest; a corrupt object is quarantined and reported, and {@code dst} is then the caller's to
     * delete.
     */
    public Hashing.Result copyVerified(String name, Path dst) throws IOException {
        Hashing.Result r = copyExisting(objectPath(name), dst, "Object " + name + " is not in the cache");
        if (!r.digest().equals(Digests.hexPart(name))) {
            quarantine(name);
            throw new MlvException(ErrorCode.INVALID_STATE, "Cached object " + name + " was corrupt and has been moved to "
                    + quarantine + "; fetch it again with 'mlv data pull' (or fetch)");
        }
        return r;
    }

    /** True when the object's bytes hash to its name. */
    public boolean verify(String name) {
        try {
            return Hashing.hash(objectPath(name)).digest().equals(Digests.hexPart(name));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    public Manifest readManifest(String name) {
        try {
            byte[] bytes = Files.readAllBytes(objectPath(name));
            if (!Digests.sha256(bytes).equals(Digests.hexPart(name))) {
                quarantine(name);
                throw new MlvException(ErrorCode.INVALID_STATE, "Cached manifest " + name + " was corrupt and has been moved to "
                        + quarantine + "; fetch it again with 'mlv data fetch'");
            }
            return Manifest.parse(bytes, name);
        } catch (NoSuchFileException e) {
            throw MlvException.notFound("Manifest " + name + " is not in the cache (run 'mlv data fetch')");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where {@link #quarantine} moves corrupt objects. */
    public Path quarantineFolder() {
        return quarantine;
    }

    /** Moves a (corrupt) object out of the cache into the quarantine folder; returns where it went. */
    public Path quarantine(String name) {
        try {
            Files.createDirectories(quarantine);
            shareFolder(quarantine);
            Path target = quarantine.resolve(name + "." + Instant.now().toEpochMilli());
            Files.move(objectPath(name), target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot quarantine " + name + ": " + e.getMessage(), e);
        }
    }

    public void delete(String name) {
        AtomicFiles.deleteQuietly(objectPath(name));
    }

    /** An object {@link #walkObjects} finds: its name and its file. */
    interface ObjectVisitor {
        void object(String name, Path file) throws IOException;
    }

    /**
     * Walks an objects folder in the layout the cache and every local remote share ({@code sha256/ab/cdef…}): each
     * entry of a prefix folder whose name makes a valid object name goes to {@code objects}, every other entry (a
     * file beside the prefix folders, a temp file of a write in progress) to {@code others}. Nothing when the folder
     * does not exist.
     */
    static void walkObjects(Path folder, ObjectVisitor objects, java.util.function.Consumer<Path> others) throws IOException {
        try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(folder)) {
            for (Path prefix : prefixes) {
                if (!Files.isDirectory(prefix)) {
                    others.accept(prefix);
                    continue;
                }
                String p = prefix.getFileName().toString();
                try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                    for (Path f : files) {
                        String name = p + f.getFileName();
                        if (Digests.isValid(name)) objects.object(name, f);
                        else others.accept(f);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            // no objects yet
        }
    }

    /** Every object name in the cache, plus the paths of files that are not valid objects (leftovers). */
    public record Listing(List<String> names, List<Path> junk) {
    }

    public Listing list() {
        List<String> names = new ArrayList<>();
        List<Path> junk = new ArrayList<>();
        try {
            walkObjects(objects, (name, f) -> {
                if (Files.isRegularFile(f)) names.add(name);
                else junk.add(f);
            }, junk::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) junk.add(f);
        } catch (IOException ignored) {
            // no temp folder: nothing left over
        }
        return new Listing(names, junk);
    }

    /** Makes every object written so far durable (one syncfs for the whole batch); nothing to do when none was. */
    public void sync() {
        if (unsynced.getAndSet(false)) AtomicFiles.durabilityBarrier(root);
    }

    private void ensurePrefix(String name, Path target) throws IOException {
        int prefix = Integer.parseInt(name.substring(0, 2), 16);
        if (prefixReady.get(prefix) == null) {
            try {
                Files.createDirectories(target.getParent());
            } catch (FileAlreadyExistsException ignored) {
                // raced with another thread
            }
            shareFolder(target.getParent());
            prefixReady.set(prefix, true);
        }
    }

    /**
     * Makes a folder of the cache group-writable when the cache is shared (adding the group's rwx to its mode, which
     * keeps a setgid bit); one of another user's is left as it is.
     */
    private void shareFolder(Path dir) {
        if (!groupWritable) return;
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode");
            if ((mode & GROUP_RWX) != GROUP_RWX) Files.setAttribute(dir, "unix:mode", mode | GROUP_RWX);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // not ours to change (its owner made it, shared or not), or no unix modes here
        }
    }

    /** Whether {@code p} is a folder directly in the cache's temp folder (one of {@link TempLanes}, or of clones). */
    boolean isTempFolder(Path p) {
        return tmp.equals(p.getParent()) && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** A fresh, unused name in the cache's temp folder (what a killed command leaves there, fsck removes). */
    Path newTemp() {
        return tmp.resolve(Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-"
                + Long.toHexString(System.nanoTime()) + ".tmp");
    }

    private FileChannel createReadOnly(Path t) throws IOException {
        return FileChannel.open(t, CREATE, readOnly());
    }

    /** The attributes of a new object file: read-only for everyone, where the file system has unix modes. */
    private FileAttribute<?>[] readOnly() {
        return posix ? READ_ONLY_ATTRIBUTE : NO_ATTRIBUTES;
    }

    /**
     * Renames a complete temp file to its object name; an existing object of the same size is kept. True when the
     * temp file was renamed (and so is gone).
     */
    private boolean publish(Path t, String name, long size) throws IOException {
        if (has(name, size)) return false;
        Path target = objectPath(name);
        ensurePrefix(name, target);
        Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }
}
