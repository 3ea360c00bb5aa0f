package dev.mlv.server.auth;

import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.permissions.ResourceType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A {@link PermissionStore} that remembers each user's grants for up to a time to live (by default
 * {@value #DEFAULT_TTL_MILLIS} ms; {@code MLV_AUTH_CACHE_MILLIS} sets it, 0 turns the cache off), so that checking a
 * request costs a map lookup rather than a query. A change made through it is seen at once by this server (it
 * forgets what it remembered); a change made on another replica, within the time to live, as users added to the users
 * file are.
 */
final class CachedGrants implements PermissionStore {
    static final long DEFAULT_TTL_MILLIS = 1_000;
    private static final int MAX_USERS = 10_000;

    /** A user's grants by {@code type/resource}, as loaded at {@code loadedAt} in {@code generation}. */
    private record Snapshot(long loadedAt, long generation, Map<String, Grant> grants) {
    }

    private final PermissionStore store;
    private final Map<String, Snapshot> users = new ConcurrentHashMap<>();
    /** Moves on every change through this store: a snapshot loaded before it is no longer used. */
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;

    CachedGrants(PermissionStore store, long ttlMillis) {
        this.store = store;
        this.ttlNanos = ttlMillis * 1_000_000;
    }

    /** The time to live of {@code MLV_AUTH_CACHE_MILLIS} in {@code env}, else the default. */
    static long ttlMillis(UnaryOperator<String> env) {
        String v = env.apply("MLV_AUTH_CACHE_MILLIS");
        if (v == null || v.isBlank()) return DEFAULT_TTL_MILLIS;
        try {
            long ms = Long.parseLong(v.strip());
            if (ms >= 0) return ms;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw MlvException.invalid("MLV_AUTH_CACHE_MILLIS must be a number of milliseconds, 0 or more: '" + v + "'");
    }

    @Override
    public Optional<Grant> get(ResourceType type, String resource, String user) {
        if (ttlNanos == 0) return store.get(type, resource, user);
        long now = System.nanoTime();
        Snapshot s = users.get(user);
        if (s == null || s.generation() != generation.get() || now - s.loadedAt() > ttlNanos) {
            long g = generation.get();
            Map<String, Grant> grants = new HashMap<>();
            for (Grant grant : store.grantsOf(user)) grants.put(key(grant.type(), grant.resource()), grant);
            if (users.size() >= MAX_USERS) users.clear();
            s = new Snapshot(now, g, grants);
            users.put(user, s);
        }
        return Optional.ofNullable(s.grants().get(key(type, resource)));
    }

    private static String key(ResourceType type, String resource) {
        return type.name() + "/" + resource;
    }

    /** Runs a change through the store, then forgets every user's grants (whether or not the change succeeded). */
    private <T> T changing(Supplier<T> change) {
        try {
            return change.get();
        } finally {
            generation.incrementAndGet();
            users.clear();
        }
    }

    @Override
    public Grant create(Grant grant, String actor) {
        return changing(() -> store.create(grant, actor));
    }

    @Override
    public Grant update(Grant grant, String actor) {
        return changing(() -> store.update(grant, actor));
    }

    @Override
    public void delete(ResourceType type, String resource, String user, String actor) {
        changing(() -> {
            store.delete(type, resource, user, actor);
            return null;
        });
    }

    @Override
    public List<Grant> grantsOf(String user) {
        return store.grantsOf(user);
    }

    @Override
    public void renameModel(String oldName, String newName, String actor) {
        changing(() -> {
            store.renameModel(oldName, newName, actor);
            return null;
        });
    }

    @Override
    public void deleteAll(ResourceType type, String resource, String actor) {
        changing(() -> {
            store.deleteAll(type, resource, actor);
            return null;
        });
    }
}
