package dev.mlv.data;

import com.sun.nio.file.ExtendedOpenOption;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SHA-256 of files and streams, streamed with large buffers. {@link #copy} hashes exactly the bytes it writes, in one
 * pass: for large files a writer thread writes chunk {@code n} while the caller's thread reads and hashes chunk
 * {@code n+1}, so reading, hashing and writing overlap. Large copies also start their own flush to disk as they go
 * ({@link EarlyFlush}), so the durability barrier that follows finds little left to write, or write with direct I/O
 * ({@link #copyToNewFile}) and leave it nothing.
 */
public final class Hashing {
    static final int CHUNK = 1 << 20;
    static final int PIPELINE_THRESHOLD = 8 << 20;
    /** Bytes written between two background flushes of a large copy. */
    static final long FLUSH_EVERY = 32L << 20;
    private static final int PIPELINE_BUFFERS = 4;
    private static final int PIPELINE_BUFFER = 4 * CHUNK;
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[CHUNK]);
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mlv-writer");
        t.setDaemon(true);
        return t;
    });

    private Hashing() {
    }

    /** The digest and size of what was read. */
    public record Result(String digest, long size) {
    }

    public static Result hash(Path file) {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest md = Digests.newSha256();
            byte[] buf = BUFFER.get();
            ByteBuffer bb = ByteBuffer.wrap(buf);
            long n = 0;
            for (int r; (r = in.read(bb.clear())) >= 0; ) {
                md.update(buf, 0, r);
                n += r;
            }
            return new Result(Digests.hex(md.digest()), n);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static Result hash(InputStream in) throws IOException {
        MessageDigest md = Digests.newSha256();
        byte[] buf = BUFFER.get();
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            md.update(buf, 0, r);
            n += r;
        }
        return new Result(Digests.hex(md.digest()), n);
    }

    /**
     * Copies {@code src} into the new file {@code dst}, created with {@code attrs}, and returns the digest of the bytes
     * written. A large file is written with direct I/O where the file system has it: its bytes go to the disk as they
     * are written instead of into the page cache, so a large add, push, fetch or checkout neither fills memory with a
     * second copy of the data nor leaves all of it for the durability barrier to write (a 1 GiB add here: writes into
     * the page cache took 0.3 to 4 s, plus 0.6 s for the sync; direct, 0.8 to 1.0 s). A missing {@code src} is a
     * {@link NoSuchFileException}, and then nothing is created.
     */
    public static Result copyToNewFile(Path src, Path dst, FileAttribute<?>... attrs) throws IOException {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ)) {
            long size = in.size();
            if (size >= PIPELINE_THRESHOLD) {
                int block = directBlockSize(dst);
                FileChannel direct = block > 0 ? createDirect(dst, attrs) : null;
                if (direct != null) {
                    try (direct) {
                        return copy(in, size, direct, block);
                    } catch (IOException e) { // a file system that opens with O_DIRECT and then refuses its writes
                        AtomicFiles.deleteQuietly(dst);
                        in.position(0);
                    }
                }
            }
            try (FileChannel out = FileChannel.open(dst, CREATE_NEW, attrs)) {
                return copy(in, size, out, 0);
            }
        }
    }

    private static final Set<StandardOpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final Set<OpenOption> CREATE_NEW_DIRECT = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            ExtendedOpenOption.DIRECT);

    /** The alignment direct I/O needs beside {@code file} (its file store's block size), or 0 when there is none to use. */
    static int directBlockSize(Path file) {
        try {
            long block = Files.getFileStore(file.getParent()).getBlockSize();
            return block > 0 && block <= PIPELINE_BUFFER && Long.bitCount(block) == 1 ? (int) block : 0;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /** Creates {@code file} for writing with direct I/O; null, leaving nothing behind, where the file system refuses. */
    static FileChannel createDirect(Path file, FileAttribute<?>... attrs) {
        try {
            return FileChannel.open(file, CREATE_NEW_DIRECT, attrs);
        } catch (IOException | UnsupportedOperationException e) {
            AtomicFiles.deleteQuietly(file); // open(2) may have created it before refusing O_DIRECT
            return null;
        }
    }

    /**
     * Copies {@code in} ({@code size} bytes when it was opened) to {@code out}; with {@code block > 0}, {@code out} is a
     * new file with direct I/O, whose writes must be whole blocks: the last one is padded with zeros, and the file
     * truncated to the bytes copied after it.
     */
    static Result copy(FileChannel in, long size, FileChannel out, int block) throws IOException {
        if (block == 0 && size < PIPELINE_THRESHOLD) return sequential(in, out);
        Result r = pipelined(in, out, block);
        if (block > 0) out.truncate(r.size());
        return r;
    }

    /** Copies a stream to {@code out}, hashing it. */
    public static Result copy(InputStream in, FileChannel out) throws IOException {
        MessageDigest md = Digests.newSha256();
        byte[] buf = BUFFER.get();
        EarlyFlush flush = new EarlyFlush(out);
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            if (r == 0) continue;
            md.update(buf, 0, r);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
            while (bb.hasRemaining()) out.write(bb);
            flush.wrote(r);
            n += r;
        }
        return new Result(Digests.hex(md.digest()), n);
    }

    /**
     * Starts writing a file's dirty pages to disk while the file is still being written: an {@code fdatasync} on a
     * background thread after every {@link #FLUSH_EVERY} bytes, at most one at a time, so the writer never waits for
     * it. Without it nothing reaches the disk until the final sync, which then writes the whole file while everything
     * else waits (a 1 GiB {@code mlv data add} took 4.4-5.3 s that way, 3.2-3.7 s this way). Only a head start: the
     * caller's own fsync or syncfs still makes the file durable, and reports errors.
     */
    static final class EarlyFlush {
        private final FileChannel out;
        private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
        private long sinceLast;

        EarlyFlush(FileChannel out) {
            this.out = out;
        }

        /** Called by the one thread that writes, after each write of {@code bytes}. */
        void wrote(long bytes) {
            sinceLast += bytes;
            if (sinceLast < FLUSH_EVERY || !running.compareAndSet(false, true)) return;
            sinceLast = 0;
            WRITERS.execute(() -> {
                try {
                    out.force(false);
                } catch (IOException ignored) {
                    // closed meanwhile, or a write error the final sync reports
                } finally {
                    running.set(false);
                }
            });
        }
    }

    private static Result sequential(FileChannel in, FileChannel out) throws IOException {
        MessageDigest md = Digests.newSha256();
        byte[] buf = BUFFER.get();
        ByteBuffer bb = ByteBuffer.wrap(buf);
        long n = 0;
        for (int r; (r = in.read(bb.clear())) >= 0; ) {
            if (r == 0) continue;
            md.update(buf, 0, r);
            bb.flip();
            while (bb.hasRemaining()) out.write(bb);
            n += r;
        }
        return new Result(Digests.hex(md.digest()), n);
    }

    private static final ByteBuffer END = ByteBuffer.allocate(0);

    /**
     * The pipelined copy, through {@link #PIPELINE_BUFFERS} direct buffers that are read into, hashed and written from
     * (no copy between the Java heap and native memory). With {@code block > 0} the buffers are aligned to it and the
     * last write is padded to a whole block, for a channel with direct I/O; without, large writes get {@link EarlyFlush}.
     */
    private static Result pipelined(FileChannel in, FileChannel out, int block) throws IOException {
        BlockingQueue<ByteBuffer> toWrite = new ArrayBlockingQueue<>(PIPELINE_BUFFERS + 1);
        BlockingQueue<Object> written = new ArrayBlockingQueue<>(PIPELINE_BUFFERS + 2);
        EarlyFlush flush = block > 0 ? null : new EarlyFlush(out);
        var writer = WRITERS.submit(() -> {
            try {
                for (ByteBuffer b; (b = toWrite.take()) != END; ) {
                    int len = b.remaining();
                    while (b.hasRemaining()) out.write(b);
                    written.put(b);
                    if (flush != null) flush.wrote(len);
                }
            } catch (Throwable t) {
                written.offer(t);
            }
            return null;
        });
        MessageDigest md = Digests.newSha256();
        long n = 0;
        int created = 0;
        int outstanding = 0;
        try {
            while (true) {
                ByteBuffer b;
                if (created < PIPELINE_BUFFERS) {
                    b = block > 0 ? ByteBuffer.allocateDirect(PIPELINE_BUFFER + block).alignedSlice(block)
                            : ByteBuffer.allocateDirect(PIPELINE_BUFFER);
                    created++;
                } else {
                    b = takeWritten(written);
                    outstanding--;
                }
                b.clear();
                boolean eof = false;
                while (b.hasRemaining()) {
                    if (in.read(b) < 0) {
                        eof = true;
                        break;
                    }
                }
                b.flip();
                int len = b.remaining();
                if (len > 0) {
                    ByteBuffer read = b.duplicate(); // hashed here while the writer writes b
                    int padded = block > 0 ? (len + block - 1) & -block : len;
                    if (padded > len) b.limit(padded).put(len, new byte[padded - len]);
                    toWrite.put(b);
                    outstanding++;
                    md.update(read);
                    n += len;
                }
                if (eof || len == 0) break;
            }
            while (outstanding > 0) {
                takeWritten(written);
                outstanding--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted", e);
        } finally {
            toWrite.offer(END);
            if (outstanding > 0) writer.cancel(true);
        }
        return new Result(Digests.hex(md.digest()), n);
    }

    private static ByteBuffer takeWritten(BlockingQueue<Object> written) throws InterruptedException, IOException {
        Object o = written.take();
        if (o instanceof Throwable t) {
            if (t instanceof IOException io) throw io;
            throw new IOException("Write failed: " + t, t);
        }
        return (ByteBuffer) o;
    }
}
