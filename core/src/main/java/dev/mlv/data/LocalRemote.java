package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.LinkOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A remote on a local or mounted file system. Uploads hash the bytes while copying them to a temp file beside the
 * object, and rename it into place only when the digest matches and the bytes are on disk: an object is never visible
 * before it is durable, even after a power loss. {@link #flush} makes the renames of a whole push durable at once.
 */
public final class LocalRemote implements Remote {
    private final Path root;
    /** The object folders this remote has made or seen, so that an upload checks its folder once, not per object. */
    private final Set<Path> folders = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public LocalRemote(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create remote folder " + root + ": " + e.getMessage(), e);
        }
    }

    public Path objectPath(String name) {
        return root.resolve(Digests.relativePath(name));
    }

    @Override
    public String url() {
        return root.toString();
    }

    @Override
    public Set<String> missing(Collection<String> names) {
        return Cache.absent(names, this::objectPath);
    }

    /** Copies one object beside its place, fsyncs it, and renames it into place. */
    @Override
    public void upload(String name, Path file, long size) {
        uploadAll(List.of(new Upload(name, file, size)));
    }

    /**
     * Small objects go in batches of up to this many, each batch made durable at once before any of it becomes visible
     * (large enough that one file-system sync per batch costs a push nothing measurable).
     */
    @Override
    public int batchSize() {
        return 1024;
    }

    /**
     * Copies each object to a temp file beside its place, verifying its digest, then makes them all durable (one
     * file-system sync for a batch, an fsync for a single object) and only then renames them into place: an object is
     * never visible before its bytes are on disk. One corrupt local object fails the batch, and none of it is visible.
     */
    @Override
    public void uploadAll(List<Upload> objects) {
        Map<Path, Path> staged = new LinkedHashMap<>(); // target -> its temp file
        try {
            for (Upload u : objects) {
                Path target = objectPath(u.name());
                if (staged.containsKey(target)) continue; // the same object twice in one batch
                Path tmp = AtomicFiles.tempBeside(target);
                staged.put(target, tmp);
                if (!folders.contains(target.getParent())) {
                    Files.createDirectories(target.getParent());
                    folders.add(target.getParent());
                }
                Hashing.Result r = Hashing.copyToNewFile(u.file(), tmp);
                if (!r.digest().equals(Digests.hexPart(u.name()))) {
                    throw new MlvException(ErrorCode.INVALID_STATE, "Local object " + u.name() + " is corrupt (its bytes hash to "
                            + r.digest() + "); not uploaded. Run 'mlv data fsck'");
                }
            }
            AtomicFiles.moveIntoPlaceDurably(staged, root);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot upload to " + root + ": " + e.getMessage(), e);
        } finally {
            staged.values().forEach(AtomicFiles::deleteQuietly);
        }
    }

    @Override
    public Path localFile(String name) {
        return objectPath(name);
    }

    @Override
    public InputStream open(String name) {
        try {
            return Files.newInputStream(objectPath(name));
        } catch (NoSuchFileException e) {
            throw MlvException.notFound("Object " + name + " is not in remote " + root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<Stored> list() {
        List<Stored> out = new ArrayList<>();
        try {
            Cache.walkObjects(root.resolve(Digests.ALGORITHM), (name, f) -> {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isRegularFile()) out.add(new Stored(name, a.size(), a.lastModifiedTime().toInstant()));
            }, temp -> { // the temp file of an upload in progress: no object
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list remote " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void delete(Collection<String> names) {
        names.forEach(Digests::requireValid);
        for (String n : names) {
            try {
                Files.deleteIfExists(objectPath(n));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete " + n + " from remote " + root + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void flush() {
        AtomicFiles.durabilityBarrier(root);
    }

    @Override
    public int parallelism() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }
}
