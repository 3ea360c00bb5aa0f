package dev.mlv.store.jdbc;

import dev.mlv.errors.MlvException;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;
import dev.mlv.users.UserStore;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * {@link UserStore} on the {@code users} table ({@code V7_0__users.sql}). Every change takes the registry lock
 * ({@link JdbcRegistryStore#write}) and appends its audit event to the registry's chain in the same transaction:
 * {@code user.create} ({@code user, is_admin}), {@code user.update} ({@code user} and {@code password_changed: true},
 * or {@code is_admin} and {@code old_is_admin}) and {@code user.delete} ({@code user, is_admin}, and {@code grants}:
 * resource type to resource to permission, the grants removed with the user). Hashes are never in an event.
 */
final class JdbcUsers implements UserStore {
    private static final String COLUMNS = "user_name, password_hash, is_admin";

    private final JdbcRegistryStore registry;
    private final Database db;
    private final LongSupplier clock;

    JdbcUsers(JdbcRegistryStore registry, Database db, LongSupplier clock) {
        this.registry = registry;
        this.db = db;
        this.clock = clock;
    }

    @Override
    public List<User> list() {
        // ordered as Java orders strings, the same on every database (PostgreSQL's collation may differ)
        return db.read(c -> Jdbc.query(c, "SELECT " + COLUMNS + " FROM users", List.of(), JdbcUsers::row)).stream()
                .sorted(Comparator.comparing(User::name)).toList();
    }

    @Override
    public Optional<User> get(String name) {
        User.checkName(name);
        return db.read(c -> load(c, name));
    }

    @Override
    public void create(User user, String actor) {
        registry.write(c -> {
            if (load(c, user.name()).isPresent()) throw exists(user.name());
            long now = clock.getAsLong();
            try {
                Jdbc.update(c, "INSERT INTO users (" + COLUMNS + ", creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)",
                        user.name(), user.passwordHash(), user.admin() ? 1 : 0, now, now);
            } catch (SQLException e) {
                if (db.isUniqueViolation(e)) throw exists(user.name());
                throw e;
            }
            registry.audit(c, actor, "user.create", null, null, payload(user.name(), "is_admin", user.admin()), now);
            return null;
        });
    }

    @Override
    public void setPassword(String name, String passwordHash, String actor) {
        User.checkName(name);
        PasswordHash.check(passwordHash);
        registry.write(c -> {
            existing(c, name);
            long now = clock.getAsLong();
            Jdbc.update(c, "UPDATE users SET password_hash = ?, last_update_time = ? WHERE user_name = ?",
                    passwordHash, now, name);
            registry.audit(c, actor, "user.update", null, null, payload(name, "password_changed", true), now);
            return null;
        });
    }

    @Override
    public void setAdmin(String name, boolean admin, String actor) {
        User.checkName(name);
        registry.write(c -> {
            User old = existing(c, name);
            long now = clock.getAsLong();
            Jdbc.update(c, "UPDATE users SET is_admin = ?, last_update_time = ? WHERE user_name = ?", admin ? 1 : 0, now, name);
            Map<String, Object> p = payload(name, "is_admin", admin);
            p.put("old_is_admin", old.admin());
            registry.audit(c, actor, "user.update", null, null, p, now);
            return null;
        });
    }

    @Override
    public boolean delete(String name, String actor) {
        User.checkName(name);
        return registry.write(c -> {
            Optional<User> old = load(c, name);
            if (old.isEmpty()) return false;
            Map<String, Map<String, String>> grants = new TreeMap<>();
            for (List<String> g : Jdbc.query(c, "SELECT resource_type, resource, permission FROM permissions WHERE user_name = ?",
                    List.of(name), rs -> List.of(rs.getString(1), rs.getString(2), rs.getString(3)))) {
                grants.computeIfAbsent(g.get(0), t -> new TreeMap<>()).put(g.get(1), g.get(2));
            }
            Jdbc.update(c, "DELETE FROM permissions WHERE user_name = ?", name);
            Jdbc.update(c, "DELETE FROM users WHERE user_name = ?", name);
            Map<String, Object> p = payload(name, "is_admin", old.get().admin());
            p.put("grants", grants);
            registry.audit(c, actor, "user.delete", null, null, p, clock.getAsLong());
            return true;
        });
    }

    private static Optional<User> load(Connection c, String name) throws SQLException {
        return Jdbc.queryOne(c, "SELECT " + COLUMNS + " FROM users WHERE user_name = ?", List.of(name), JdbcUsers::row);
    }

    private static User existing(Connection c, String name) throws SQLException {
        return load(c, name).orElseThrow(() -> MlvException.notFound("User with username=" + name + " not found"));
    }

    private static User row(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getString(2), rs.getInt(3) != 0);
    }

    private static MlvException exists(String name) {
        return MlvException.alreadyExists("User (username=" + name + ") already exists.");
    }

    private static Map<String, Object> payload(String user, String key, Object value) {
        Map<String, Object> p = new TreeMap<>();
        p.put("user", user);
        p.put(key, value);
        return p;
    }
}
