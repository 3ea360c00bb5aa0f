package dev.mlv.store.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Points sqlite-jdbc at a copy of its native library kept in the user's cache folder. Left alone, the driver extracts
 * the library (about 1 MB) into the temp folder in every process, lists that folder to clean up after earlier ones,
 * and runs {@code uname} to recognise Android: 0.1–0.2 s of every {@code mlv} command and server start. The copy is
 * made once per driver version, atomically, and only where the driver's folder for the platform is certain (glibc
 * Linux and macOS on x86-64 and arm64); anywhere else, or when the copy cannot be made, nothing changes. A copy that
 * fails to load makes the driver fall back to its own extraction.
 */
public final class SqliteNativeLibrary {
    private static volatile boolean done;

    private SqliteNativeLibrary() {
    }

    /** Sets {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name} unless already set; cheap after the first call. */
    public static void useCachedCopy() {
        if (done) return;
        synchronized (SqliteNativeLibrary.class) {
            if (done) return;
            done = true;
            if (System.getProperty("org.sqlite.lib.path") != null) return;
            String folder = platformFolder();
            String version = driverVersion();
            if (folder == null || version == null) return;
            String name = folder.startsWith("Mac") ? "libsqlitejdbc.dylib" : "libsqlitejdbc.so";
            Path cache = cacheHome();
            if (cache == null) return;
            try {
                Path dir = cache.resolve("mlv").resolve("native").resolve("sqlite-jdbc-" + version).resolve(folder);
                Path lib = dir.resolve(name);
                if (!Files.isRegularFile(lib) && !extract("/org/sqlite/native/" + folder + "/" + name, lib)) return;
                System.setProperty("org.sqlite.lib.path", dir.toString());
                System.setProperty("org.sqlite.lib.name", name);
            } catch (IOException | UncheckedIOException | SecurityException | java.nio.file.InvalidPathException e) {
                // no cache folder: the driver extracts to the temp folder as usual
            }
        }
    }

    /** The driver's folder for this platform, or null where it cannot be told without the driver's own probes. */
    static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (arch == null) return null;
        if (os.startsWith("mac")) return "Mac/" + arch;
        if (!os.equals("linux") || System.getProperty("java.vendor", "").toLowerCase(Locale.ROOT).contains("android")) return null;
        // musl systems (Alpine) need the driver's Linux-Musl build: leave those to its detection
        return Files.exists(Path.of("/lib/ld-musl-" + arch + ".so.1")) ? null : "Linux/" + arch;
    }

    private static String driverVersion() {
        try (InputStream in = org.sqlite.SQLiteConfig.class.getResourceAsStream("/META-INF/maven/org.xerial/sqlite-jdbc/pom.properties")) {
            if (in == null) return null;
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v != null && v.matches("[0-9A-Za-z.-]{1,40}") ? v : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code $XDG_CACHE_HOME}, else {@code ~/.cache}; null without an absolute home (never a folder relative to here). */
    private static Path cacheHome() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) return Path.of(xdg);
        String home = System.getProperty("user.home", "");
        return !home.isBlank() && Path.of(home).isAbsolute() ? Path.of(home, ".cache") : null;
    }

    /** Copies the resource to {@code target} through a synced temp file and a rename; false when there is none. */
    private static boolean extract(String resource, Path target) throws IOException {
        try (InputStream in = org.sqlite.SQLiteConfig.class.getResourceAsStream(resource)) {
            if (in == null) return false;
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), ".lib-", ".tmp");
            try {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    in.transferTo(java.nio.channels.Channels.newOutputStream(out));
                    out.force(true);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return true;
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
