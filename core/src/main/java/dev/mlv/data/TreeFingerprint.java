package dev.mlv.data;

/**
 * An order-independent 128-bit fingerprint of a directory listing: the number of files and two sums of per-file
 * hashes, each mixing the file's relative path with its whole {@link StateCache.Stamp} (inode, mtime, size). Renaming,
 * adding, removing or touching any file changes it (but for a chance of about 2<sup>-128</sup>), so an equal fingerprint
 * means the same files with the same stamps, the condition under which the state cache trusts a recorded digest.
 * Not a cryptographic hash: it guards against accidents in one's own workspace, not against an adversary.
 */
final class TreeFingerprint {
    private static final long PRIME_A = 0x100000001b3L;       // FNV-1a 64
    private static final long PRIME_B = 0x9e3779b97f4a7c15L;  // golden ratio, odd
    private long files;
    private long sumA;
    private long sumB;

    /** The fingerprint of {@code entries} (relative path and stamp of each). */
    static String of(Iterable<DataRepo.Entry> entries) {
        TreeFingerprint f = new TreeFingerprint();
        for (DataRepo.Entry e : entries) f.add(e.relpath(), e.stamp());
        return f.value();
    }

    void add(String relpath, StateCache.Stamp stamp) {
        long a = chars(chars(0xcbf29ce484222325L, PRIME_A, relpath), PRIME_A, stamp.inode());
        long b = chars(chars(0x2545f4914f6cdd1dL, PRIME_B, relpath), PRIME_B, stamp.inode());
        sumA += mix(a ^ mix(stamp.mtimeNanos()) ^ mix(stamp.size() + PRIME_B));
        sumB += mix(b + mix(stamp.size() ^ PRIME_A) + mix(stamp.mtimeNanos() - PRIME_B));
        files++;
    }

    String value() {
        return files + ":" + String.format("%016x%016x", sumA, sumB);
    }

    /** Folds the characters and the length of {@code s} into {@code h}, so "ab"+"c" and "a"+"bc" differ. */
    private static long chars(long h, long prime, String s) {
        for (int i = 0; i < s.length(); i++) h = (h ^ s.charAt(i)) * prime;
        return mix(h ^ s.length());
    }

    /** MurmurHash3's 64-bit finaliser: every input bit flips each output bit with probability about 1/2. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
