package dev.mlv.users;

import dev.mlv.data.AtomicFiles;
import dev.mlv.data.RepoLock;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@link UserStore} in a text file ({@code mlv server --auth-file}): one {@code name:<password hash>[:admin]} line
 * per user ({@link PasswordHash}'s format; {@code #} comments and blank lines allowed and kept). Every change reads
 * and rewrites the file holding {@code <file>.lock}, replacing it atomically and readable by its owner only, so that
 * servers and {@code mlv users} commands changing one file, in any process, never lose each other's changes. A
 * malformed file is refused, naming the line, and never rewritten. A missing file has no users.
 */
public final class UsersFile implements UserStore {
    private static final String ADMIN = "admin";

    private final Path file;

    public UsersFile(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    @Override
    public List<User> list() {
        List<User> users = new ArrayList<>(read(lines()).values());
        users.sort(Comparator.comparing(User::name));
        return users;
    }

    @Override
    public Optional<User> get(String name) {
        return Optional.ofNullable(read(lines()).get(User.checkName(name)));
    }

    @Override
    public void create(User user, String actor) {
        change(user.name(), old -> {
            if (old != null) throw MlvException.alreadyExists("User (username=" + user.name() + ") already exists.");
            return user;
        });
    }

    @Override
    public void setPassword(String name, String passwordHash, String actor) {
        change(name, old -> new User(name, passwordHash, existing(old, name).admin()));
    }

    @Override
    public void setAdmin(String name, boolean admin, String actor) {
        change(name, old -> new User(name, existing(old, name).passwordHash(), admin));
    }

    @Override
    public boolean delete(String name, String actor) {
        return Files.exists(file) && change(name, old -> null) != null;
    }

    private User existing(User user, String name) {
        if (user == null) throw MlvException.notFound("User with username=" + name + " not found in " + file);
        return user;
    }

    private List<String> lines() {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the users file " + file + ": " + e.getMessage(), e);
        }
    }

    private Map<String, User> read(List<String> lines) {
        Map<String, User> users = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] fields = line.split(":", -1);
            try {
                if (fields.length < 2 || fields.length > 3 || (fields.length == 3 && !fields[2].equals(ADMIN))) {
                    throw MlvException.invalid("");
                }
                users.put(fields[0], new User(fields[0], fields[1], fields.length == 3));
            } catch (MlvException e) {
                throw MlvException.invalid("Malformed line " + (i + 1) + " in the users file " + file
                        + ": expected name:pbkdf2_sha256$<iterations>$<salt>$<hash>[:admin] (write it with 'mlv users add')");
            }
        }
        return users;
    }

    /**
     * Replaces {@code name}'s line by what {@code change} makes of the user there (null: none; a null result removes
     * the line), keeping every other line. Returns the user there was, or null.
     */
    private User change(String name, UnaryOperator<User> change) {
        User.checkName(name);
        Path lockFile = file.toAbsolutePath().resolveSibling(file.getFileName() + ".lock");
        try {
            Files.createDirectories(lockFile.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        try (RepoLock ignored = RepoLock.acquire(lockFile, "mlv users", waiting -> { })) {
            List<String> current = lines();
            User old = read(current).get(name);
            User now = change.apply(old);
            StringBuilder text = new StringBuilder();
            for (String l : current) {
                if (!l.strip().startsWith(name + ":")) text.append(l).append('\n');
            }
            if (now != null) text.append(now.name()).append(':').append(now.passwordHash()).append(now.admin() ? ":" + ADMIN : "").append('\n');
            AtomicFiles.writePrivate(file, text.toString().getBytes(StandardCharsets.UTF_8));
            return old;
        }
    }
}
