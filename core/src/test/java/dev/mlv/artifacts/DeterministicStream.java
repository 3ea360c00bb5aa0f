package dev.mlv.artifacts;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;

/** {@code size} bytes from a seeded PRNG, fed into a digest as they are handed out; never held in memory. */
public final class DeterministicStream extends InputStream {
    private final SplittableRandom random;
    private final MessageDigest digest;
    private long left;

    public DeterministicStream(long size, long seed, MessageDigest digest) {
        this.left = size;
        this.random = new SplittableRandom(seed);
        this.digest = digest;
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (left <= 0) return -1;
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i += 8) {
            long r = random.nextLong();
            for (int j = 0; j < 8 && i + j < n; j++, r >>>= 8) b[off + i + j] = (byte) r;
        }
        if (digest != null) digest.update(b, off, n);
        left -= n;
        return n;
    }
}
