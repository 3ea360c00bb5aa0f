package dev.mlv.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Crash-safe writes: a temp file in the same folder, fsync, atomic rename, fsync of the folder. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** A fresh temp-file name beside {@code target}: {@code .name.<random>.tmp}. */
    public static Path tempBeside(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    }

    /** True for the names {@link #tempBeside} makes. */
    public static boolean isTemp(String fileName) {
        return fileName.startsWith(".") && fileName.endsWith(".tmp");
    }

    /** Replaces {@code target} with {@code bytes}: readers see the old file or the new one, never a mix. */
    public static void write(Path target, byte[] bytes) {
        write(target, bytes, new FileAttribute<?>[0]);
    }

    /** {@link #write(Path, byte[])} of a file that only its owner may read and write (e.g. password hashes). */
    public static void writePrivate(Path target, byte[] bytes) {
        write(target, bytes, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static void write(Path target, byte[] bytes, FileAttribute<?>... attributes) {
        Path tmp = tempBeside(target);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened for fsync
        }
    }

    /**
     * Makes everything written so far on the file system holding {@code dir} durable: {@code sync -f} (syncfs(2)),
     * one call instead of one fsync per small object. Falls back to {@code sync}; false when neither ran (no such
     * command here, or interrupted), so that a caller that must be sure can fsync its files one by one instead.
     */
    public static boolean durabilityBarrier(Path dir) {
        for (String[] cmd : new String[][]{{"sync", "-f", dir.toAbsolutePath().toString()}, {"sync"}}) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0) return true;
            } catch (IOException e) {
                // try the next form
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /**
     * Renames the temp files of {@code staged} (target → its temp file, beside it) into place once their bytes are on
     * disk: several with one {@link #durabilityBarrier} on the file system holding {@code root}, a single one (or
     * where no sync command exists) with an fsync each. Each entry is removed once renamed, so that what is left after
     * a failure is the temp files still to delete. The renames themselves are made durable by the caller.
     */
    public static void moveIntoPlaceDurably(Map<Path, Path> staged, Path root) throws IOException {
        boolean synced = staged.size() > 1 && durabilityBarrier(root); // the whole batch at once
        if (!synced) {
            for (Path tmp : staged.values()) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        }
        for (var it = staged.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Files.move(e.getValue(), e.getKey(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            it.remove();
        }
    }

    public static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
