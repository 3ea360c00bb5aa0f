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
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;

import static dev.mlv.server.Endpoints.mlflowDelete;
import static dev.mlv.server.Endpoints.mlflowGet;
import static dev.mlv.server.Endpoints.mlflowPatch;
import static dev.mlv.server.Endpoints.mlflowPost;

/**
 * MLflow's basic-auth routes for permissions, served when the server authenticates its users:
 * {@code experiments/permissions/{create,get,update,delete}} ({@code experiment_id}, {@code username},
 * {@code permission}), the same under {@code registered-models/permissions/} with {@code name}, and
 * MLflow's user routes ({@code users/get}, {@code users/create}, {@code users/update-password},
 * {@code users/update-admin}, {@code users/delete}), which change the server's users file as {@code mlv users} does
 * (a deleted user's grants go with them). Answers are MLflow's: {@code {"experiment_permission": {"experiment_id", "user_id",
 * "permission"}}}, {@code {"registered_model_permission": {"name", "user_id", "permission"}}} (mlv's user id is the
 * user name) and {@code {}} for update and delete. The user must be in the users file; the experiment or model need
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
        mlflowPost(r, "users/create", this::createUser);
        mlflowPatch(r, "users/update-password", cx -> {
            MlflowRequest q = args(cx);
            String name = existingUser(q.requiredString("username"));
            changeUsers(() -> UsersFile.put(usersFile(), name, q.requiredString("password"), UsersFile.DEFAULT_ITERATIONS));
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
            changeUsers(() -> UsersFile.setAdmin(usersFile(), name, flag.equals("true")));
            MlflowResponse.empty(cx);
        });
        mlflowDelete(r, "users/delete", cx -> {
            String name = existingUser(args(cx).requiredString("username"));
            changeUsers(() -> UsersFile.remove(usersFile(), name));
            // a user of that name added later starts without the removed one's grants
            for (Grant g : grants().grantsOf(name)) grants().delete(g.type(), g.resource(), g.user(), RequestUser.of(cx));
            MlflowResponse.empty(cx);
        });
    }

    private void createUser(Context cx) {
        MlflowRequest q = args(cx);
        String name = q.requiredString("username");
        String password = q.requiredString("password");
        changeUsers(() -> UsersFile.create(usersFile(), name, password, UsersFile.DEFAULT_ITERATIONS));
        sendUser(cx, name);
    }

    /**
     * Changes the users file ({@link UsersFile} locks it and replaces it atomically) and has the server follow it at
     * once. A file the server may not write is {@code INVALID_STATE}, naming it.
     */
    private void changeUsers(Runnable change) {
        try {
            change.run();
        } catch (UncheckedIOException e) {
            throw new MlvException(ErrorCode.INVALID_STATE, e.getMessage()
                    + " (the server cannot change its users file: manage users with 'mlv users' on its host)");
        }
        ctx.access().users().reload();
    }

    private Path usersFile() {
        return ctx.config().authFile();
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

    private String existingUser(String name) {
        if (!ctx.access().users().exists(name)) throw MlvException.notFound("User with username=" + name + " not found");
        return name;
    }

    private void sendUser(Context cx, String name) {
        ObjectNode user = MlflowResponse.object();
        user.put("id", name);
        user.put("username", name);
        user.put("is_admin", ctx.access().users().isAdmin(name));
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
