package dev.mlv.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.Permission.Action;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.permissions.ResourceType;
import dev.mlv.registry.ModelUri;
import dev.mlv.registry.SourceValidator;
import dev.mlv.server.MlflowRequest;
import dev.mlv.tracking.TrackingStore;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Who may do what, on a server that authenticates its users ({@code --auth} or {@code --auth-file}): MLflow's basic-auth model.
 * <ul>
 *   <li>Administrators ({@code mlv users set-admin NAME true}) may do everything.</li>
 *   <li>Everyone else has, on each experiment and registered model, the {@link Permission} of their {@link Grant}
 *       on it, else the server's default permission ({@code READ} unless configured otherwise). Whoever creates an
 *       experiment or a registered model gets {@code MANAGE} on it.</li>
 *   <li>Every route has a rule in {@link AccessRules} (which action on which resource of the request); a route
 *       without one is for administrators only, so a route added without a rule fails closed.</li>
 *   <li>Searches and listings answer only what the user may read.</li>
 * </ul>
 * A refusal is 403 {@code PERMISSION_DENIED}, before the route's handler runs, so a refused request changes nothing.
 */
public final class Authorizer {
    private static final int MAX_REMEMBERED = 100_000;

    private final Authenticator users;
    private final PermissionStore grants;
    private final TrackingStore tracking;
    private final Permission defaultPermission;
    private final ObjectMapper json;
    /** A run's or logged model's experiment, which never changes: looked up once. */
    private final Map<String, String> experimentOf = new ConcurrentHashMap<>();

    /** {@code grantCacheMillis}: how long a user's grants are remembered ({@link #grantCacheMillis}; 0: not at all). */
    public Authorizer(Authenticator users, PermissionStore grants, TrackingStore tracking, Permission defaultPermission,
                      long grantCacheMillis, ObjectMapper json) {
        this.users = users;
        this.grants = new CachedGrants(grants, grantCacheMillis);
        this.tracking = tracking;
        this.defaultPermission = defaultPermission;
        this.json = json;
    }

    /**
     * How long each replica remembers a user's grants: {@code MLV_AUTH_CACHE_MILLIS}, else one second; 0 asks the
     * database on every request. {@code INVALID_PARAMETER_VALUE} for anything but a number of 0 or more.
     */
    public static long grantCacheMillis(UnaryOperator<String> env) {
        return CachedGrants.ttlMillis(env);
    }

    public Permission defaultPermission() {
        return defaultPermission;
    }

    public Authenticator users() {
        return users;
    }

    public PermissionStore grants() {
        return grants;
    }

    /** A Javalin before-matched handler: lets the request on, or answers 403. */
    public void check(Context cx) {
        Request r = request(cx);
        if (r == null || users.isAdmin(r.user)) return;
        AccessRules.Rule rule = AccessRules.rule(r.route);
        if (rule == null) {
            throw denied("only administrators may call " + cx.method() + " " + cx.path());
        }
        rule.check(r);
    }

    /**
     * A Javalin after-matched handler: after a successful call, grants its creator {@code MANAGE}, follows renames
     * and deletions of registered models, and removes from listings what the user may not read.
     */
    public void after(Context cx) {
        if (cx.statusCode() != 200) return;
        Request r = request(cx);
        if (r == null) return;
        AccessRules.After after = AccessRules.after(r.route);
        if (after != null) after.apply(r);
    }

    /** Whether the request's user may read a resource: for pages that show several, leaving out the others. */
    public boolean mayRead(Context cx, ResourceType type, String resource) {
        String user = cx.attribute(Authenticator.USER_ATTRIBUTE);
        return user == null || users.isAdmin(user) || permission(type, resource, user).allows(Action.READ);
    }

    /** The request's user and route, or null for a request no user made (an open route) or no route matched. */
    private Request request(Context cx) {
        String user = cx.attribute(Authenticator.USER_ATTRIBUTE);
        Endpoint e = cx.endpoints().matchedHttpEndpoint();
        if (user == null || e == null) return null;
        return new Request(cx, user, AccessRules.key(e.method.name(), e.path));
    }

    /** The permission {@code user} has on a resource: their grant, else the default. */
    Permission permission(ResourceType type, String resource, String user) {
        return grants.get(type, resource, user).map(Grant::permission).orElse(defaultPermission);
    }

    static MlvException denied(String why) {
        return new MlvException(ErrorCode.PERMISSION_DENIED, "Permission denied: " + why);
    }

    /** One request being authorized: its user, its arguments, and the checks rules make. */
    final class Request {
        final Context cx;
        final String user;
        final String route;

        private Request(Context cx, String user, String route) {
            this.cx = cx;
            this.user = user;
            this.route = route;
        }

        /** The MLflow arguments: query for GET, JSON body otherwise (parsed once, and shared with the handler). */
        MlflowRequest args() {
            return MlflowRequest.of(cx, json);
        }

        boolean isAdmin() {
            return users.isAdmin(user);
        }

        PermissionStore grants() {
            return grants;
        }

        TrackingStore tracking() {
            return tracking;
        }

        void experiment(String id, Action action) {
            Permission p = permission(ResourceType.EXPERIMENT, id, user);
            if (!p.allows(action)) throw refused(action, ResourceType.EXPERIMENT, id, p);
        }

        void model(String name, Action action) {
            Permission p = permission(ResourceType.REGISTERED_MODEL, name, user);
            if (!p.allows(action)) throw refused(action, ResourceType.REGISTERED_MODEL, name, p);
        }

        void run(String runId, Action action) {
            experiment(experimentOf("run:" + runId, () -> tracking.getRun(runId).info().experimentId()), action);
        }

        void loggedModel(String modelId, Action action) {
            experiment(experimentOf("model:" + modelId, () -> tracking.getLoggedModel(modelId, true).experimentId()), action);
        }

        /** An artifact-proxy path: its first segment is the experiment it belongs to (mlv's artifact layout). */
        void artifactPath(ArtifactPath path, Action action) {
            if (path.isRoot() || !path.segments().get(0).chars().allMatch(Character::isDigit)) {
                throw denied("only administrators may reach artifacts outside an experiment's folder ('" + path + "')");
            }
            experiment(path.segments().get(0), action);
        }

        /** What a model URI names: a registered model, a run, or a logged model. */
        void modelUri(String uri, Action action) {
            ModelUri u = ModelUri.parse(uri);
            switch (u.kind()) {
                case RUN -> run(u.runId(), action);
                case LOGGED_MODEL -> loggedModel(u.modelId(), action);
                default -> model(u.name(), action);
            }
        }

        /** A model version's source: the run, logged model or experiment folder its files come from. */
        void source(String source, Action action) {
            if (source == null) return;
            String lower = source.toLowerCase(Locale.ROOT);
            if (lower.startsWith("runs:/") || lower.startsWith("models:/")) {
                modelUri(source, action);
            } else if (lower.startsWith("mlflow-artifacts:")) {
                artifactPath(SourceValidator.storePathOf(source), action); // the path the registry will store
            }
        }

        void admin() {
            if (!isAdmin()) throw denied("only administrators may call " + cx.method() + " " + cx.path());
        }

        /** Grants the request's user {@code MANAGE} on what they just created. */
        void grantCreator(ResourceType type, String resource) {
            try {
                grants.create(new Grant(type, resource, user, Permission.MANAGE), user);
            } catch (MlvException e) {
                if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
                grants.update(new Grant(type, resource, user, Permission.MANAGE), user);
            }
        }

        /** The JSON the handler answered. */
        ObjectNode answer() {
            try {
                return (ObjectNode) json.readTree(cx.result());
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read the answer of " + route, e);
            }
        }

        /**
         * Keeps, in the answer's array {@code field}, the items whose value at {@code pointer} (a JSON pointer) names
         * a resource of {@code type} the user may read (an item without it is kept for administrators only).
         */
        void filter(String field, String pointer, ResourceType type) {
            if (isAdmin()) return;
            ObjectNode body = answer();
            JsonNode items = body.get(field);
            if (!(items instanceof ArrayNode array)) return;
            Map<String, Boolean> readable = new HashMap<>();
            boolean changed = false;
            for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
                JsonNode id = it.next().at(pointer);
                boolean keep = (id.isTextual() || id.isNumber())
                        && readable.computeIfAbsent(id.asText(), r -> permission(type, r, user).allows(Action.READ));
                if (!keep) {
                    it.remove();
                    changed = true;
                }
            }
            if (!changed) return;
            try {
                cx.result(json.writeValueAsString(body));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /**
         * An answer that shows a run's content (its parameters, metrics, data and code) beside a model version: the
         * user must also be able to read the run's experiment, as {@code runs/get} requires.
         */
        void showsRun(String pointer) {
            if (isAdmin()) return;
            JsonNode id = answer().at(pointer);
            if (id.isTextual() && !id.asText().isEmpty()) run(id.asText(), Action.READ);
        }

        private MlvException refused(Action action, ResourceType type, String id, Permission p) {
            return denied("user '" + user + "' may not " + action.name().toLowerCase(Locale.ROOT) + " "
                    + type.label() + " '" + id + "' (their permission: " + p + "); ask an administrator, or a user "
                    + "with MANAGE on it, for a grant");
        }
    }

    /** The experiment of a run or logged model ({@code key}), looked up once. */
    private String experimentOf(String key, Supplier<String> lookup) {
        String known = experimentOf.get(key);
        if (known != null) return known;
        String id = lookup.get();
        if (experimentOf.size() >= MAX_REMEMBERED) experimentOf.clear();
        experimentOf.put(key, id);
        return id;
    }
}
