package dev.mlv.permissions;

import dev.mlv.errors.MlvException;

import java.util.Locale;

/**
 * What a user may do with one experiment or registered model, as in MLflow's basic-auth app: {@code READ} reads,
 * {@code EDIT} also changes, {@code MANAGE} also deletes and grants permissions to others, {@code NO_PERMISSIONS}
 * does nothing.
 */
public enum Permission {
    READ(true, false, false, false),
    EDIT(true, true, false, false),
    MANAGE(true, true, true, true),
    NO_PERMISSIONS(false, false, false, false);

    private final boolean canRead;
    private final boolean canUpdate;
    private final boolean canDelete;
    private final boolean canManage;

    Permission(boolean canRead, boolean canUpdate, boolean canDelete, boolean canManage) {
        this.canRead = canRead;
        this.canUpdate = canUpdate;
        this.canDelete = canDelete;
        this.canManage = canManage;
    }

    /** Whether this permission allows {@code action}. */
    public boolean allows(Action action) {
        return switch (action) {
            case READ -> canRead;
            case UPDATE -> canUpdate;
            case DELETE -> canDelete;
            case MANAGE -> canManage;
        };
    }

    /** A permission by name, in any case; {@code INVALID_PARAMETER_VALUE} naming the valid ones otherwise. */
    public static Permission parse(String name) {
        if (name != null) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw MlvException.invalid("Invalid permission '" + name + "'. Valid permissions are: "
                + "('READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS')");
    }

    /** What a request does to a resource; each {@link Permission} allows some of them. */
    public enum Action {
        READ, UPDATE, DELETE, MANAGE
    }
}
