package dev.mlv.artifacts;

import dev.mlv.errors.MlvException;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes through exactly the {@code length} bytes a writer declared, and fails the read that finds out otherwise:
 * the stream ends before {@code length} bytes, or it still has bytes after them (checked, with a one-byte read, before
 * the last bytes are handed on, so a consumer that stops at {@code length} never completes an over-long upload).
 * Both throw {@code INVALID_PARAMETER_VALUE}. The first failure (a mismatch or an {@link IOException} of the
 * underlying stream) is remembered in {@link #failure()}, for callers whose consumer (an HTTP client, say) wraps the
 * exceptions it sees into its own.
 */
public final class ExactLengthInputStream extends FilterInputStream {
    private final ArtifactPath path;
    private final long length;
    private long remaining;
    private Exception failure;
    private boolean endChecked;

    public ExactLengthInputStream(InputStream in, long length, ArtifactPath path) {
        super(in);
        if (length < 0) throw new IllegalArgumentException("length " + length);
        this.length = length;
        this.remaining = length;
        this.path = path;
    }

    /** The failure a read threw, if one did: an {@link MlvException} for a length mismatch, else an IOException. */
    public Exception failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        try {
            if (remaining == 0) {
                checkEnd();
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) throw mismatch("its content ended after " + (length - remaining) + " of the " + length + " bytes declared");
            remaining -= n;
            if (remaining == 0) checkEnd();
            return n;
        } catch (IOException | RuntimeException e) {
            if (failure == null) failure = e;
            throw e;
        }
    }

    /** Once all declared bytes are read: the underlying stream must be at its end. */
    private void checkEnd() throws IOException {
        if (endChecked) return;
        endChecked = true;
        if (in.read() >= 0) throw mismatch("its content is longer than the " + length + " bytes declared");
    }

    private MlvException mismatch(String what) {
        return MlvException.invalid("Cannot write artifact '" + path + "': " + what);
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("skip is not supported");
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }
}
