package dev.mlv.server.auth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.permissions.ResourceType;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.server.registry.RequestUser;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;
import dev.mlv.users.UserStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.function.Consumer;

import static dev.mlv.server.Endpoints.mlflowDelete;
import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPatch;
import static dev.mlv.server.Endpoints.mlflowPost;

/**
 * MLflow's basic-auth routes for permissions, served when the server authenticates its users:
 * {@code experiments/permissions/{create,get,update,delete}} ({@code experiment_id}, {@code username},
 * {@code permission}), the same under {@code registered-models/permissions/} with {@code name}, and
 * MLflow's user routes ({@code users/get}, {@code users/create}, {@code users/update-password},
 * {@code users/update-admin}, {@code users/delete}), which change the server's users as {@code mlv users} does
 * (a deleted user's grants go with them). Answers are MLflow's: {@code {"experiment_permission": {"experiment_id", "user_id",
 * "permission"}}}, {@code {"registered_model_permission": {"name", "user_id", "permission"}}} (mlv's user id is the
 * user name) and {@code {}} for update and delete. The user must exist; the experiment or model need
 * not exist yet, as in MLflow. Who may call them is {@link AccessRules}' (MANAGE on the resource, or an
 * administrator; users: administrators, and each user for their own password and record).
 */
public final class PermissionEndpoints implements Endpoints {
    private final ServerContext ctx;

    public PermissionEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig r) {
        if (ctx.access() == null) return; // without authentication there are no users to grant anything to
        for (ResourceType type : ResourceType.values()) {
            String base = prefix(type) + "/permissions/";
            mlflowPost(r, base + "create", cx -> {
                Grant g = grant(cx, type, true);
                send(cx, type, grants().create(g, RequestUser.of(cx)));
            });
            mlflowGet(r, base + "get", cx -> {
                Grant key = grant(cx, type, false);
                send(cx, type, grants().get(type, key.resource(), key.user())
                        .orElseThrow(() -> type.grantNotFound(key.resource(), key.user())));
            });
            mlflowPatch(r, base + "update", cx -> {
                grants().update(grant(cx, type, true), RequestUser.of(cx));
                MlflowResponse.empty(cx);
            });
            mlflowDelete(r, base + "delete", cx -> {
                Grant key = grant(cx, type, false);
                grants().delete(type, key.resource(), key.user(), RequestUser.of(cx));
                MlflowResponse.empty(cx);
            });
        }
        mlflowGet(r, "users/get", cx -> sendUser(cx, existingUser(args(cx).requiredString("username"))));
        mlflowPost(r, "users/create", cx -> {
            MlflowRequest q = args(cx);
            String name = q.requiredString("username");
            User user = User.withPassword(name, q.requiredString("password"), PasswordHash.DEFAULT_ITERATIONS, false);
            changeUsers(users -> users.create(user, RequestUser.of(cx)));
            sendUser(cx, name);
        });
        mlflowPatch(r, "users/update-password", cx -> {
            MlflowRequest q = args(cx);
            String name = existingUser(q.requiredString("username"));
            String hash = PasswordHash.of(q.requiredString("password"), PasswordHash.DEFAULT_ITERATIONS);
            changeUsers(users -> users.setPassword(name, hash, RequestUser.of(cx)));
            MlflowResponse.empty(cx);
        });
        mlflowPatch(r, "users/update-admin", cx -> {
            MlflowRequest q = args(cx);
            String name = existingUser(q.requiredString("username"));
            String flag = q.requiredString("is_admin").toLowerCase(Locale.ROOT);
            if (!flag.equals("true") && !flag.equals("false")) {
                throw MlvException.invalid("Invalid parameter 'is_admin': '" + flag + "', must be either 'true' or 'false' "
                        + "(case insensitive).");
            }
            changeUsers(users -> users.setAdmin(name, flag.equals("true"), RequestUser.of(cx)));
            MlflowResponse.empty(cx);
        });
        mlflowDelete(r, "users/delete", cx -> {
            String name = existingUser(args(cx).requiredString("username"));
            changeUsers(users -> users.delete(name, RequestUser.of(cx)));
            // a user of that name added later starts without the removed one's grants (the database's users took
            // theirs with them; a users file's leave them here)
            for (Grant g : grants().grantsOf(name)) grants().delete(g.type(), g.resource(), g.user(), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
    }

    /**
     * Changes the users ({@link UserStore}: atomically, concurrent changes lose nothing) and has the server follow
     * them at once. A users file the server may not write is {@code INVALID_STATE}, naming it.
     */
    private void changeUsers(Consumer<UserStore> change) {
        try {
            change.accept(ctx.access().users().store());
        } catch (UncheckedIOException e) {
            throw new MlvException(ErrorCode.INVALID_STATE, e.getMessage()
                    + " (the server cannot change its users file: manage users with 'mlv users' on its host)");
        }
        ctx.access().users().reload();
    }

    private MlflowRequest args(Context cx) {
        return MlflowRequest.of(cx, ctx.json());
    }

    private PermissionStore grants() {
        return ctx.access().grants();
    }

    /** The grant a request names; its user must exist. */
    private Grant grant(Context cx, ResourceType type, boolean withPermission) {
        MlflowRequest q = args(cx);
        String resource = q.requiredString(type.idField());
        String user = existingUser(q.requiredString("username"));
        Permission p = withPermission ? Permission.parse(q.requiredString("permission")) : null;
        return new Grant(type, resource, user, p);
    }

    /** The name of a user that exists now, as the store says (another replica may have just added or removed them). */
    private String existingUser(String name) {
        return user(name).name();
    }

    private User user(String name) {
        return ctx.access().users().store().get(name)
                .orElseThrow(() -> MlvException.notFound("User with username=" + name + " not found"));
    }

    private void sendUser(Context cx, String name) {
        ObjectNode user = MlflowResponse.object();
        user.put("id", name);
        user.put("username", name);
        user.put("is_admin", user(name).admin());
        ArrayNode experiments = user.putArray("experiment_permissions");
        ArrayNode models = user.putArray("registered_model_permissions");
        for (Grant g : grants().grantsOf(name)) {
            (g.type() == ResourceType.EXPERIMENT ? experiments : models).add(json(g));
        }
        ObjectNode out = MlflowResponse.object();
        out.set("user", user);
        MlflowResponse.send(cx, ctx.json(), out);
    }

    private void send(Context cx, ResourceType type, Grant g) {
        ObjectNode out = MlflowResponse.object();
        out.set(type == ResourceType.EXPERIMENT ? "experiment_permission" : "registered_model_permission", json(g));
        MlflowResponse.send(cx, ctx.json(), out);
    }

    private static ObjectNode json(Grant g) {
        ObjectNode o = MlflowResponse.object();
        o.put(g.type().idField(), g.resource());
        o.put("user_id", g.user());
        o.put("permission", g.permission().name());
        return o;
    }

    private static String prefix(ResourceType type) {
        return type == ResourceType.EXPERIMENT ? "experiments" : "registered-models";
    }
}
