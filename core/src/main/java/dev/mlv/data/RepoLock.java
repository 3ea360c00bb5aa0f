package dev.mlv.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * The repository-wide lock ({@code .mlv/lock}): one {@code mlv data} command at a time per repository, across
 * processes (an OS file lock, released by the OS if the process dies) and across threads of one JVM. A command that
 * has to wait says so once, naming the holder, then waits.
 */
public final class RepoLock implements AutoCloseable {
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
    private final Semaphore local;
    private final FileChannel channel;
    private final FileLock lock;

    private RepoLock(Semaphore local, FileChannel channel, FileLock lock) {
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, calling {@code onWait} with a message first if another command holds it. */
    public static RepoLock acquire(Path lockFile, String command, Consumer<String> onWait) {
        Path key = lockFile.toAbsolutePath().normalize();
        Semaphore local = IN_PROCESS.computeIfAbsent(key, k -> new Semaphore(1));
        boolean waited = false;
        try {
            if (!local.tryAcquire()) {
                onWait.accept(waitMessage(key));
                waited = true;
                local.acquire();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + key);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                if (!waited) onWait.accept(waitMessage(key));
                l = ch.lock();
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + " " + command + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            return new RepoLock(local, ch, l);
        } catch (IOException | RuntimeException e) {
            local.release();
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing releases any lock
                }
            }
            if (e instanceof IOException io) throw new UncheckedIOException("Cannot lock " + key + ": " + io.getMessage(), io);
            throw (RuntimeException) e;
        }
    }

    private static String waitMessage(Path key) {
        String holder = "";
        try {
            String s = Files.readString(key, StandardCharsets.UTF_8).strip();
            if (!s.isEmpty()) holder = " (pid " + s.replaceFirst(" ", ": ") + ")";
        } catch (IOException | RuntimeException ignored) {
            // the holder is unknown
        }
        return "waiting for another mlv data command in this repository to finish" + holder + "; lock: " + key;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock in any case
        } finally {
            local.release();
        }
    }
}
