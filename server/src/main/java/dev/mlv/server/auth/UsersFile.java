package dev.mlv.server.auth;

import dev.mlv.data.AtomicFiles;
import dev.mlv.data.RepoLock;
import dev.mlv.errors.MlvException;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The server's users: a text file of {@code name:pbkdf2_sha256$<iterations>$<salt>$<hash>} lines (salt and hash in
 * Base64; {@code #} comments and blank lines allowed), written by {@code mlv users add}; a line ending in
 * {@code :admin} is an administrator, who may do everything, whatever the permissions. Passwords are never stored,
 * only PBKDF2-HMAC-SHA256 hashes with a random 16-byte salt, {@value #DEFAULT_ITERATIONS} iterations by default.
 */
public final class UsersFile {
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2_sha256";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final String ADMIN = "admin";

    private record Entry(int iterations, byte[] salt, byte[] hash, boolean admin) {
        String line(String name) {
            Base64.Encoder b64 = Base64.getEncoder();
            return name + ":" + SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash)
                    + (admin ? ":" + ADMIN : "");
        }
    }

    private final Map<String, Entry> users;

    private UsersFile(Map<String, Entry> users) {
        this.users = users;
    }

    /** Reads {@code file}; a malformed line is {@code INVALID_PARAMETER_VALUE} naming its number. */
    public static UsersFile read(Path file) {
        return parse(lines(file), file);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the users file " + file + ": " + e.getMessage(), e);
        }
    }

    private static UsersFile parse(List<String> lines, Path file) {
        Map<String, Entry> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            String[] fields = colon < 0 ? new String[0] : line.substring(colon + 1).split(":", -1);
            String[] parts = fields.length == 0 ? new String[0] : fields[0].split("\\$");
            try {
                if (parts.length != 4 || !parts[0].equals(SCHEME) || !NAME.matcher(line.substring(0, colon)).matches()
                        || fields.length > 2 || (fields.length == 2 && !fields[1].equals(ADMIN))) {
                    throw new IllegalArgumentException();
                }
                users.put(line.substring(0, colon), new Entry(Integer.parseInt(parts[1]),
                        Base64.getDecoder().decode(parts[2]), Base64.getDecoder().decode(parts[3]), fields.length == 2));
            } catch (IllegalArgumentException e) {
                throw MlvException.invalid("Malformed line " + (i + 1) + " in the users file " + file
                        + ": expected name:" + SCHEME + "$<iterations>$<salt>$<hash>[:admin] (write it with 'mlv users add')");
            }
        }
        return new UsersFile(users);
    }

    public int size() {
        return users.size();
    }

    /** The user names, in file order. */
    public List<String> names() {
        return List.copyOf(users.keySet());
    }

    public boolean contains(String name) {
        return users.containsKey(name);
    }

    /** Whether {@code name} is a user and an administrator. */
    public boolean isAdmin(String name) {
        Entry e = users.get(name);
        return e != null && e.admin();
    }

    /**
     * The user, when {@code password} is theirs; comparison in constant time. An unknown name costs the same PBKDF2
     * computation as a known one (against a user of the file), so the time of a refusal does not tell which names exist.
     */
    public Optional<String> authenticate(String name, String password) {
        Entry e = users.get(name);
        if (e == null) {
            users.values().stream().findFirst().ifPresent(any -> hash(password, any.salt(), any.iterations()));
            return Optional.empty();
        }
        return MessageDigest.isEqual(e.hash(), hash(password, e.salt(), e.iterations())) ? Optional.of(name) : Optional.empty();
    }

    /**
     * Adds {@code name} with {@code password}, or changes their password, in {@code file} (created when missing,
     * readable by its owner only), replacing the file atomically. {@code admin} makes them an administrator or not;
     * null keeps what they were (not one, for a new user). Returns true when the user is new.
     */
    public static boolean put(Path file, String name, String password, int iterations, Boolean admin) {
        Entry fresh = entry(name, password, iterations);
        return change(file, name, old -> new Entry(fresh.iterations(), fresh.salt(), fresh.hash(),
                admin != null ? admin : old != null && old.admin())) == null;
    }

    /** {@link #put(Path, String, String, int, Boolean)}, keeping whether the user is an administrator. */
    public static boolean put(Path file, String name, String password, int iterations) {
        return put(file, name, password, iterations, null);
    }

    /** Adds {@code name}, not an administrator; {@code RESOURCE_ALREADY_EXISTS} when the name is taken. */
    public static void create(Path file, String name, String password, int iterations) {
        Entry fresh = entry(name, password, iterations);
        change(file, name, old -> {
            if (old != null) throw MlvException.alreadyExists("User (username=" + name + ") already exists.");
            return fresh;
        });
    }

    /** Makes {@code name} an administrator or not; {@code RESOURCE_DOES_NOT_EXIST} when there is no such user. */
    public static void setAdmin(Path file, String name, boolean admin) {
        change(file, name, old -> {
            if (old == null) throw MlvException.notFound("No user '" + name + "' in " + file);
            return new Entry(old.iterations(), old.salt(), old.hash(), admin);
        });
    }

    /** Removes {@code name} from {@code file}, replacing it atomically; false when there was no such user. */
    public static boolean remove(Path file, String name) {
        if (!Files.exists(file)) return false;
        return change(file, name, old -> null) != null;
    }

    /** A new entry for {@code name} with a random salt, not an administrator; a bad name or empty password refused. */
    private static Entry entry(String name, String password, int iterations) {
        if (!NAME.matcher(name).matches()) {
            throw MlvException.invalid("Invalid user name '" + name + "': 1 to 128 letters, digits or . _ @ + -");
        }
        if (password.isEmpty()) throw MlvException.invalid("The password must not be empty");
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new Entry(iterations, salt, hash(password, salt, iterations), false);
    }

    /**
     * Replaces {@code name}'s entry in {@code file} (created when missing, readable by its owner only) by what
     * {@code change} makes of it (null removes it), atomically ({@link AtomicFiles}), keeping the other lines. The
     * read and the write hold {@code <file>.lock}, so servers and {@code mlv users} commands changing one file, in any
     * process, never lose each other's changes. Returns the entry there was, or null.
     */
    private static Entry change(Path file, String name, UnaryOperator<Entry> change) {
        Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        try (RepoLock ignored = RepoLock.acquire(lockFile, "mlv users", waiting -> { })) {
            List<String> current = Files.exists(file) ? lines(file) : List.of();
            Entry old = parse(current, file).users.get(name); // a malformed file is refused, not rewritten
            Entry now = change.apply(old);
            StringBuilder text = new StringBuilder();
            for (String l : current) {
                if (!l.strip().startsWith(name + ":")) text.append(l).append('\n');
            }
            if (now != null) text.append(now.line(name)).append('\n');
            AtomicFiles.writePrivate(file, text.toString().getBytes(StandardCharsets.UTF_8));
            return old;
        }
    }

    private static byte[] hash(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
