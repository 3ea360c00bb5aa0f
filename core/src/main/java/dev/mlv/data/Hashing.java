package dev.mlv.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SHA-256 of files and streams, streamed with large buffers. {@link #copy} hashes exactly the bytes it writes, in one
 * pass: for large files a writer thread writes chunk {@code n} while the caller's thread reads and hashes chunk
 * {@code n+1}, so reading, hashing and writing overlap.
 */
public final class Hashing {
    static final int CHUNK = 1 << 20;
    static final int PIPELINE_THRESHOLD = 8 << 20;
    private static final int PIPELINE_BUFFERS = 4;
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

    /** Copies {@code src} to {@code out} (at its current position) and returns the digest of the bytes written. */
    public static Result copy(Path src, FileChannel out) {
        try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ)) {
            long size = in.size();
            return size >= PIPELINE_THRESHOLD ? pipelined(in, out) : sequential(in, out);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + src + ": " + e.getMessage(), e);
        }
    }

    /** Copies a stream to {@code out}, hashing it. */
    public static Result copy(InputStream in, FileChannel out) throws IOException {
        MessageDigest md = Digests.newSha256();
        byte[] buf = BUFFER.get();
        long n = 0;
        for (int r; (r = in.read(buf)) >= 0; ) {
            if (r == 0) continue;
            md.update(buf, 0, r);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
            while (bb.hasRemaining()) out.write(bb);
            n += r;
        }
        return new Result(Digests.hex(md.digest()), n);
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

    private static Result pipelined(FileChannel in, FileChannel out) throws IOException {
        BlockingQueue<ByteBuffer> toWrite = new ArrayBlockingQueue<>(PIPELINE_BUFFERS + 1);
        BlockingQueue<Object> written = new ArrayBlockingQueue<>(PIPELINE_BUFFERS + 2);
        var writer = WRITERS.submit(() -> {
            try {
                for (ByteBuffer b; (b = toWrite.take()) != END; ) {
                    while (b.hasRemaining()) out.write(b);
                    written.put(b);
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
                    b = ByteBuffer.allocate(4 * CHUNK);
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
                    toWrite.put(b);
                    outstanding++;
                    md.update(b.array(), 0, len);
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
