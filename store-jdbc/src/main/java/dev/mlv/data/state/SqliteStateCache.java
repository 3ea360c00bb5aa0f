package dev.mlv.data.state;

import dev.mlv.data.StateCache;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state cache in a small SQLite file ({@code .mlv/state.db}): the file rows are read once on first lookup, the
 * (few) directory rows once on first use, and what was recorded during a command is written in one transaction on
 * {@link #flush}. A database that cannot be read (corrupt, locked, from a newer version) is treated as empty: the
 * state is only a cache.
 */
public final class SqliteStateCache implements StateCache {
    private record Row(Stamp stamp, String digest) {
    }

    private final Path file;
    private volatile Map<String, Row> rows;
    private volatile Map<String, DirectoryStamp> dirs;
    private final Object dirsLock = new Object(); // not the rows' lock: a directory lookup never waits for a prefetch
    private final Map<String, Row> pending = new ConcurrentHashMap<>();
    private final Map<String, DirectoryStamp> pendingDirs = new ConcurrentHashMap<>();
    private final java.util.Set<String> forgotten = ConcurrentHashMap.newKeySet();
    private final java.util.Set<String> forgottenDirs = ConcurrentHashMap.newKeySet();

    public SqliteStateCache(Path file) {
        this.file = file;
    }

    /** Opens {@code <mlvDir>/state.db}. */
    public static SqliteStateCache inDirectory(Path mlvDir) {
        return new SqliteStateCache(mlvDir.resolve("state.db"));
    }

    private Connection connect() throws SQLException {
        dev.mlv.store.jdbc.SqliteNativeLibrary.useCachedCopy();
        // The driver directly, not DriverManager: its first use loads every JDBC driver on the class path (~0.1 s)
        Connection c = org.sqlite.JDBC.createConnection("jdbc:sqlite:" + file.toAbsolutePath(), new java.util.Properties());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=10000");
            s.execute("CREATE TABLE IF NOT EXISTS state (path TEXT PRIMARY KEY, inode TEXT NOT NULL, mtime_ns INTEGER NOT NULL,"
                    + " size INTEGER NOT NULL, digest TEXT NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, digest TEXT NOT NULL, fingerprint TEXT NOT NULL)"
                    + " WITHOUT ROWID");
        }
        return c;
    }

    private Map<String, Row> rows() {
        Map<String, Row> r = rows;
        if (r != null) return r;
        synchronized (this) {
            if (rows == null) {
                rows = readAll("SELECT path, inode, mtime_ns, size, digest FROM state",
                        rs -> new Row(new Stamp(rs.getString(2), rs.getLong(3), rs.getLong(4)), rs.getString(5)));
            }
            return rows;
        }
    }

    private Map<String, DirectoryStamp> dirs() {
        Map<String, DirectoryStamp> d = dirs;
        if (d != null) return d;
        synchronized (dirsLock) {
            if (dirs == null) {
                dirs = readAll("SELECT path, digest, fingerprint FROM dirs", rs -> new DirectoryStamp(rs.getString(2), rs.getString(3)));
            }
            return dirs;
        }
    }

    private interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Every row of a query as path (column 1) to value; empty when the database cannot be read (that only costs re-hashing). */
    private <T> Map<String, T> readAll(String sql, RowReader<T> value) {
        Map<String, T> m = new ConcurrentHashMap<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) m.put(rs.getString(1), value.read(rs));
        } catch (SQLException e) {
            m.clear();
        }
        return m;
    }

    @Override
    public void prefetch() {
        if (rows != null) return;
        Thread t = new Thread(this::rows, "mlv-state-prefetch");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public Optional<String> lookup(String path, Stamp stamp) {
        Row p = pending.get(path);
        if (p == null) p = rows().get(path);
        return p != null && p.stamp().equals(stamp) ? Optional.of(p.digest()) : Optional.empty();
    }

    @Override
    public void record(String path, Stamp stamp, String digest) {
        pending.put(path, new Row(stamp, digest));
    }

    @Override
    public Optional<DirectoryStamp> directory(String path) {
        DirectoryStamp p = pendingDirs.get(path);
        return Optional.ofNullable(p != null ? p : dirs().get(path));
    }

    @Override
    public void recordDirectory(String path, DirectoryStamp stamp) {
        pendingDirs.put(path, stamp);
    }

    @Override
    public void retain(java.util.function.Predicate<String> keep) {
        for (String p : rows().keySet()) if (!keep.test(p)) forgotten.add(p);
        for (String p : dirs().keySet()) if (!keep.test(p)) forgottenDirs.add(p);
        pending.keySet().removeIf(keep.negate());
        pendingDirs.keySet().removeIf(keep.negate());
    }

    @Override
    public void move(String from, String to) {
        moveKeys(rows(), pending, forgotten, from, to);
        moveKeys(dirs(), pendingDirs, forgottenDirs, from, to);
    }

    /** Re-records every stored or pending value under {@code from} at its new key, and forgets the old key. */
    private static <T> void moveKeys(Map<String, T> stored, Map<String, T> pending, java.util.Set<String> forgotten,
                                     String from, String to) {
        Map<String, T> current = new java.util.HashMap<>(stored);
        current.keySet().removeAll(forgotten);
        current.putAll(pending);
        current.forEach((key, value) -> {
            String next = StateCache.moved(key, from, to);
            if (next == null) return;
            pending.remove(key);
            if (stored.containsKey(key)) forgotten.add(key);
            pending.put(next, value);
            forgotten.remove(next);
        });
    }

    @Override
    public synchronized void flush() {
        if (pending.isEmpty() && pendingDirs.isEmpty() && forgotten.isEmpty() && forgottenDirs.isEmpty()) return;
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            for (var table : List.of(Map.entry("state", forgotten), Map.entry("dirs", forgottenDirs))) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table.getKey() + " WHERE path = ?")) {
                    for (String p : table.getValue()) {
                        ps.setString(1, p);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO dirs (path, digest, fingerprint) VALUES (?, ?, ?)")) {
                for (var e : pendingDirs.entrySet()) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue().digest());
                    ps.setString(3, e.getValue().fingerprint());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT OR REPLACE INTO state (path, inode, mtime_ns, size, digest) VALUES (?, ?, ?, ?, ?)")) {
                // in key order: each row then lands beside the last in the table's b-tree (random order costs ~2x)
                List<Map.Entry<String, Row>> sorted = new java.util.ArrayList<>(pending.entrySet());
                sorted.sort(Map.Entry.comparingByKey());
                for (var e : sorted) {
                    ps.setString(1, e.getKey());
                    ps.setString(2, e.getValue().stamp().inode());
                    ps.setLong(3, e.getValue().stamp().mtimeNanos());
                    ps.setLong(4, e.getValue().stamp().size());
                    ps.setString(5, e.getValue().digest());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
            if (rows != null) {
                rows.keySet().removeAll(forgotten);
                rows.putAll(pending);
            }
            if (dirs != null) {
                dirs.keySet().removeAll(forgottenDirs);
                dirs.putAll(pendingDirs);
            }
        } catch (SQLException e) {
            // the state is a cache: failing to save it only costs re-hashing next time
        } finally {
            pending.clear();
            pendingDirs.clear();
            forgotten.clear();
            forgottenDirs.clear();
        }
    }
}
