package dev.mlv.store.jdbc;

import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.permissions.ResourceType;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * {@link PermissionStore} on the {@code permissions} table ({@code V5_0__permissions.sql}) of a {@link JdbcRegistryStore}'s
 * database. Every change takes the registry lock ({@link JdbcRegistryStore#write}) and appends its audit event to the
 * registry's chain in the same transaction, so concurrent creates of one grant serialize (one wins, the others find
 * it) and a failed change leaves neither a row nor an event.
 *
 * <p>Audit events (the model is the registered model's name, null for experiments; payload keys as below):
 * <ul>
 *   <li>{@code permission.create}: {@code resource_type, resource, user, permission};</li>
 *   <li>{@code permission.update}: the same plus {@code old_permission} (written even when the permission is unchanged);</li>
 *   <li>{@code permission.delete}: the same as create, with the permission removed;</li>
 *   <li>{@link #renameModel}: {@code permission.update} on the new name with {@code resource_type, resource} (the new
 *       name), {@code old_name, new_name}, {@code grants} (user to permission, moved) and {@code replaced} (user to
 *       permission, the grants that were on the new name);</li>
 *   <li>{@link #deleteAll}: {@code permission.delete} with {@code resource_type, resource} and {@code grants} (user to
 *       permission, removed).</li>
 * </ul>
 * The two bulk changes write their event only when they changed something.
 */
final class JdbcPermissions implements PermissionStore {
    static final int MAX_RESOURCE = 256;
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");
    private static final String COLUMNS = "resource_type, resource, user_name, permission";
    /** Experiments first (enum order), then by resource as Java orders strings (the same on every database). */
    private static final Comparator<Grant> ORDER = Comparator.comparing(Grant::type).thenComparing(Grant::resource);

    private final JdbcRegistryStore registry;
    private final Database db;
    private final LongSupplier clock;

    JdbcPermissions(JdbcRegistryStore registry, Database db, LongSupplier clock) {
        this.registry = registry;
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Optional<Grant> get(ResourceType type, String resource, String user) {
        check(type, resource, user);
        return db.read(c -> load(c, type, resource, user));
    }

    @Override
    public Grant create(Grant grant, String actor) {
        Grant g = check(grant);
        return registry.write(c -> {
            if (load(c, g.type(), g.resource(), g.user()).isPresent()) throw g.type().grantExists(g.resource(), g.user());
            try {
                Jdbc.update(c, "INSERT INTO permissions (" + COLUMNS + ") VALUES (?, ?, ?, ?)", g.type().name(),
                        g.resource(), g.user(), g.permission().name());
            } catch (SQLException e) {
                if (db.isUniqueViolation(e)) throw g.type().grantExists(g.resource(), g.user());
                throw e;
            }
            registry.audit(c, actor, "permission.create", model(g.type(), g.resource()), null, payload(g),
                    clock.getAsLong());
            return g;
        });
    }

    @Override
    public Grant update(Grant grant, String actor) {
        Grant g = check(grant);
        return registry.write(c -> {
            Grant old = load(c, g.type(), g.resource(), g.user()).orElseThrow(() -> g.type().grantNotFound(g.resource(), g.user()));
            Jdbc.update(c, "UPDATE permissions SET permission = ? WHERE resource_type = ? AND resource = ? AND user_name = ?",
                    g.permission().name(), g.type().name(), g.resource(), g.user());
            Map<String, Object> p = payload(g);
            p.put("old_permission", old.permission().name());
            registry.audit(c, actor, "permission.update", model(g.type(), g.resource()), null, p, clock.getAsLong());
            return g;
        });
    }

    @Override
    public void delete(ResourceType type, String resource, String user, String actor) {
        check(type, resource, user);
        registry.write(c -> {
            Grant old = load(c, type, resource, user).orElseThrow(() -> type.grantNotFound(resource, user));
            Jdbc.update(c, "DELETE FROM permissions WHERE resource_type = ? AND resource = ? AND user_name = ?",
                    type.name(), resource, user);
            registry.audit(c, actor, "permission.delete", model(type, resource), null, payload(old), clock.getAsLong());
            return null;
        });
    }

    @Override
    public List<Grant> grantsOf(String user) {
        checkUser(user);
        List<Grant> grants = db.read(c -> Jdbc.query(c, "SELECT " + COLUMNS + " FROM permissions WHERE user_name = ?",
                List.of(user), JdbcPermissions::row));
        return grants.stream().sorted(ORDER).toList();
    }

    /** The grants on {@code newName} become exactly those on {@code oldName}: grants left there from before are dropped. */
    @Override
    public void renameModel(String oldName, String newName, String actor) {
        checkResource(ResourceType.REGISTERED_MODEL, oldName);
        checkResource(ResourceType.REGISTERED_MODEL, newName);
        if (oldName.equals(newName)) return;
        registry.write(c -> {
            Map<String, Object> moved = grantsOn(c, ResourceType.REGISTERED_MODEL, oldName);
            Map<String, Object> replaced = grantsOn(c, ResourceType.REGISTERED_MODEL, newName);
            if (moved.isEmpty() && replaced.isEmpty()) return null;
            String type = ResourceType.REGISTERED_MODEL.name();
            Jdbc.update(c, "DELETE FROM permissions WHERE resource_type = ? AND resource = ?", type, newName);
            Jdbc.update(c, "UPDATE permissions SET resource = ? WHERE resource_type = ? AND resource = ?", newName, type,
                    oldName);
            Map<String, Object> p = new TreeMap<>();
            p.put("resource_type", type);
            p.put("resource", newName);
            p.put("old_name", oldName);
            p.put("new_name", newName);
            p.put("grants", moved);
            p.put("replaced", replaced);
            registry.audit(c, actor, "permission.update", newName, null, p, clock.getAsLong());
            return null;
        });
    }

    @Override
    public void deleteAll(ResourceType type, String resource, String actor) {
        checkResource(type, resource);
        registry.write(c -> {
            Map<String, Object> removed = grantsOn(c, type, resource);
            if (removed.isEmpty()) return null;
            Jdbc.update(c, "DELETE FROM permissions WHERE resource_type = ? AND resource = ?", type.name(), resource);
            Map<String, Object> p = new TreeMap<>();
            p.put("resource_type", type.name());
            p.put("resource", resource);
            p.put("grants", removed);
            registry.audit(c, actor, "permission.delete", model(type, resource), null, p, clock.getAsLong());
            return null;
        });
    }

    private static Optional<Grant> load(Connection c, ResourceType type, String resource, String user) throws SQLException {
        return Jdbc.queryOne(c, "SELECT " + COLUMNS + " FROM permissions WHERE resource_type = ? AND resource = ? AND "
                + "user_name = ?", List.of(type.name(), resource, user), JdbcPermissions::row);
    }

    /** User to permission name of every grant on the resource, ordered by user. */
    private static Map<String, Object> grantsOn(Connection c, ResourceType type, String resource) throws SQLException {
        Map<String, Object> m = new TreeMap<>();
        for (Grant g : Jdbc.query(c, "SELECT " + COLUMNS + " FROM permissions WHERE resource_type = ? AND resource = ?",
                List.of(type.name(), resource), JdbcPermissions::row)) {
            m.put(g.user(), g.permission().name());
        }
        return m;
    }

    private static Grant row(ResultSet rs) throws SQLException {
        return new Grant(ResourceType.valueOf(rs.getString(1)), rs.getString(2), rs.getString(3),
                Permission.valueOf(rs.getString(4)));
    }

    private static Map<String, Object> payload(Grant g) {
        Map<String, Object> p = new TreeMap<>();
        p.put("resource_type", g.type().name());
        p.put("resource", g.resource());
        p.put("user", g.user());
        p.put("permission", g.permission().name());
        return p;
    }

    /** The audit event's model: the registered model a grant is on; none for experiments. */
    private static String model(ResourceType type, String resource) {
        return type == ResourceType.REGISTERED_MODEL ? resource : null;
    }

    // ------------------------------------------------------------------ messages and validation

    private static Grant check(Grant g) {
        if (g == null || g.permission() == null) throw MlvException.invalid("Missing value for required parameter 'permission'");
        check(g.type(), g.resource(), g.user());
        return g;
    }

    private static void check(ResourceType type, String resource, String user) {
        checkResource(type, resource);
        checkUser(user);
    }

    private static void checkResource(ResourceType type, String resource) {
        if (type == null) throw MlvException.invalid("Missing value for required parameter 'resource_type'");
        if (resource == null || resource.isBlank()) {
            throw MlvException.invalid("Missing value for required parameter '" + type.idField() + "'");
        }
        if (resource.length() > MAX_RESOURCE) {
            throw MlvException.invalid(type.title() + (type == ResourceType.EXPERIMENT ? " id" : " name")
                    + " exceeds the maximum length of " + MAX_RESOURCE + " characters");
        }
    }

    private static void checkUser(String user) {
        if (user == null || user.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'username'");
        if (!USER.matcher(user).matches()) {
            throw MlvException.invalid("Invalid username: a username is 1 to 128 of the characters A-Z a-z 0-9 . _ @ + -");
        }
    }
}
