package dev.mlv.permissions;

/**
 * One user's {@link Permission} on one resource: an experiment id or a registered model name. A user without a grant
 * on a resource has the server's default permission on it.
 */
public record Grant(ResourceType type, String resource, String user, Permission permission) {
}
