package dev.mlv.permissions;

import java.util.List;
import java.util.Optional;

/**
 * Per-user permissions on experiments and registered models (MLflow's basic-auth model), kept in the metadata
 * database so that every replica sees the same grants. The store keeps grants; deciding what a request may do is
 * the server's.
 *
 * <p>Every change is an event in the registry's hash-chained audit log ({@code permission.create},
 * {@code permission.update}, {@code permission.delete}), written in the same transaction by {@code actor}; the audit
 * event of a registered model's grant names the model. Resource ids and user names are checked for shape only
 * (non-blank, at most 256 characters; users 1 to 128 of {@code A-Z a-z 0-9 . _ @ + -}): whether the user or the
 * resource exists is the caller's to check. All implementations pass {@code PermissionStoreContractTest}.
 */
public interface PermissionStore {

    /** The grant of {@code user} on the resource, if there is one. */
    Optional<Grant> get(ResourceType type, String resource, String user);

    /** Adds a grant; {@code RESOURCE_ALREADY_EXISTS} when that user already has one on that resource. */
    Grant create(Grant grant, String actor);

    /** Changes an existing grant's permission; {@code RESOURCE_DOES_NOT_EXIST} when there is none. */
    Grant update(Grant grant, String actor);

    /** Removes a grant; {@code RESOURCE_DOES_NOT_EXIST} when there is none. */
    void delete(ResourceType type, String resource, String user, String actor);

    /** Every grant of {@code user}: experiments first, then registered models, each ordered by resource. */
    List<Grant> grantsOf(String user);

    /**
     * Moves every grant on registered model {@code oldName} to {@code newName} (after a rename); grants already on
     * {@code newName} are replaced. One audit event when anything moved.
     */
    void renameModel(String oldName, String newName, String actor);

    /** Removes every grant on the resource (after a registered model is deleted, so a new one of that name starts
     * with none). One audit event when anything was removed. */
    void deleteAll(ResourceType type, String resource, String actor);
}
