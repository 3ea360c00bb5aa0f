package dev.mlv.data;

import java.util.Optional;

/**
 * Remembers the digest of workspace files by their fingerprint, so unchanged files are never re-hashed.
 *
 * <p>A lookup hits only when path, file identity (device and inode), modification time in nanoseconds and size all
 * match what was recorded. Implementations batch their I/O: they may read everything once and must write what
 * {@link #record} buffered in one transaction on {@link #flush} (one per command, not per file). Losing the state is
 * harmless (files get re-hashed); a stale entry is never returned because the fingerprint changes with the file.
 * Used by one command at a time (the repository lock), but {@link #lookup} and {@link #record} must be safe to call
 * from several threads.
 */
public interface StateCache extends AutoCloseable {

    /** What identifies one version of a file without reading it. */
    record Stamp(String inode, long mtimeNanos, long size) {
    }

    /**
     * What a tracked directory looked like when its files last matched the object {@code digest}: a
     * {@link TreeFingerprint} of every (path, stamp) pair in it. A later walk that gives the same fingerprint proves
     * nothing changed, without a lookup per file.
     */
    record DirectoryStamp(String digest, String fingerprint) {
    }

    Optional<String> lookup(String path, Stamp stamp);

    /** The last {@link DirectoryStamp} recorded for the tracked directory {@code path}, if any. */
    Optional<DirectoryStamp> directory(String path);

    /** Remembers that the directory {@code path} matched {@code stamp.digest()}; written on {@link #flush} like {@link #record}. */
    void recordDirectory(String path, DirectoryStamp stamp);

    /** Starts reading what lookups will need in the background (optional; lookups wait for it). */
    default void prefetch() {
    }

    void record(String path, Stamp stamp, String digest);

    /**
     * Forgets the files and directories whose path {@code keep} rejects (deleted from the workspace, or no longer
     * tracked), so the state does not grow without bound; applied on {@link #flush}.
     */
    void retain(java.util.function.Predicate<String> keep);

    /**
     * Carries what is known of {@code from}, and of everything under {@code from/}, over to {@code to} (the files and
     * directory stamps), as after a rename in the workspace: a rename keeps inodes, times and sizes, so the moved
     * files need no re-hashing. Applied on {@link #flush}.
     */
    void move(String from, String to);

    /** {@code key} renamed from {@code from} to {@code to}, or null when it is neither {@code from} nor under it. */
    static String moved(String key, String from, String to) {
        if (key.equals(from)) return to;
        return key.startsWith(from) && key.charAt(from.length()) == '/' ? to + key.substring(from.length()) : null;
    }

    /** Writes what was recorded since the last flush, in one transaction. */
    void flush();

    @Override
    default void close() {
        flush();
    }

    /** A state cache that lives for one process (tests, or when no database can be opened). */
    static StateCache inMemory() {
        return new StateCache() {
            private final java.util.concurrent.ConcurrentHashMap<String, java.util.Map.Entry<Stamp, String>> map =
                    new java.util.concurrent.ConcurrentHashMap<>();
            private final java.util.concurrent.ConcurrentHashMap<String, DirectoryStamp> dirs =
                    new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public Optional<String> lookup(String path, Stamp stamp) {
                var e = map.get(path);
                return e != null && e.getKey().equals(stamp) ? Optional.of(e.getValue()) : Optional.empty();
            }

            @Override
            public void record(String path, Stamp stamp, String digest) {
                map.put(path, java.util.Map.entry(stamp, digest));
            }

            @Override
            public Optional<DirectoryStamp> directory(String path) {
                return Optional.ofNullable(dirs.get(path));
            }

            @Override
            public void recordDirectory(String path, DirectoryStamp stamp) {
                dirs.put(path, stamp);
            }

            @Override
            public void retain(java.util.function.Predicate<String> keep) {
                map.keySet().removeIf(keep.negate());
                dirs.keySet().removeIf(keep.negate());
            }

            @Override
            public void move(String from, String to) {
                moveKeys(map, from, to);
                moveKeys(dirs, from, to);
            }

            private <T> void moveKeys(java.util.Map<String, T> m, String from, String to) {
                for (String key : java.util.List.copyOf(m.keySet())) {
                    String next = StateCache.moved(key, from, to);
                    if (next != null) m.put(next, m.remove(key));
                }
            }

            @Override
            public void flush() {
            }
        };
    }
}
