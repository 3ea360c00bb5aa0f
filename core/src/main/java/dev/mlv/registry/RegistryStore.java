package dev.mlv.registry;

import dev.mlv.audit.AuditEvent;
import dev.mlv.audit.AuditVerification;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Tag;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;

import java.util.List;

/**
 * Metadata store of the model registry: registered models, versions, tags, stages, aliases, the history of stage and
 * alias moves, pending four-eyes promotions, and the audit log.
 *
 * <p>Contract shared by every backend (checked by {@code RegistryStoreContractTest}):
 * <ul>
 *   <li><b>Atomic.</b> Every method applies all of its changes or none of them.</li>
 *   <li><b>Audited.</b> Every mutation appends exactly one {@link AuditEvent} (action such as
 *       {@code registered_model.create}, {@code model_version.transition_stage}, {@code registered_model.set_alias})
 *       <em>in the same transaction</em> as the change, chained by hash to the previous event
 *       ({@link dev.mlv.audit.AuditChain}); a failed mutation leaves neither change nor event.</li>
 *   <li><b>History.</b> Every change of what a tracked stage ({@code Staging}, {@code Production}) or an alias
 *       resolves to — the highest version in the stage, the version an alias points at — appends a {@link Move} in the
 *       same transaction, whatever caused it (transition, archive_existing_versions, deletion, rollback, approval).</li>
 *   <li><b>Serialized.</b> Mutations serialize across threads and across server replicas sharing one database: each
 *       takes the registry's lock row first (an {@code UPDATE} of one row, which is a row lock on PostgreSQL — the
 *       same as {@code SELECT … FOR UPDATE} — and makes SQLite take its write lock up front, like
 *       {@code BEGIN IMMEDIATE}), so two concurrent stage or alias moves never interleave and the audit chain never
 *       forks.</li>
 *   <li><b>Validated.</b> Names ({@link RegistryRules#name}, unique on {@link RegistryRules#nameKey}), aliases,
 *       tags and versions are validated by the store itself; {@code source} must already have passed
 *       {@link SourceValidator} (the store stores the exact string).</li>
 *   <li><b>Errors</b> are {@link dev.mlv.errors.MlvException}s with MLflow's codes: {@code RESOURCE_DOES_NOT_EXIST}
 *       for an unknown model, version, alias or pending request; {@code RESOURCE_ALREADY_EXISTS} for a duplicate
 *       name; {@code INVALID_PARAMETER_VALUE} for bad input or nothing to roll back to; {@code PERMISSION_DENIED}
 *       when the requester of a pending promotion tries to approve it.</li>
 *   <li>{@code user} arguments name who acts; they are recorded in events and moves, never trusted for anything
 *       else by the store except the four-eyes check.</li>
 * </ul>
 */
public interface RegistryStore {

    // ------------------------------------------------------------------ registered models

    RegisteredModel createRegisteredModel(String name, List<Tag> tags, String description, String user);

    RegisteredModel getRegisteredModel(String name);

    RegisteredModel renameRegisteredModel(String name, String newName, String user);

    RegisteredModel updateRegisteredModel(String name, String description, String user);

    /** Deletes the model with its versions, tags, aliases and pending requests; history and audit events remain. */
    void deleteRegisteredModel(String name, String user);

    /**
     * MLflow's search: filter on {@code name} and {@code tags.<key>} ({@code =}, {@code !=}, {@code LIKE},
     * {@code ILIKE}), order_by {@code name}, {@code creation_timestamp}/{@code timestamp},
     * {@code last_updated_timestamp} (default {@code name ASC}), opaque page tokens.
     */
    Page<RegisteredModel> searchRegisteredModels(String filter, int maxResults, List<String> orderBy, String pageToken);

    /** The highest version in each of {@code stages} (all stages when empty) that has one, ordered by stage. */
    List<ModelVersion> getLatestVersions(String name, List<Stage> stages);

    void setRegisteredModelTag(String name, Tag tag, String user);

    void deleteRegisteredModelTag(String name, String key, String user);

    // ------------------------------------------------------------------ aliases

    /** Points {@code alias} at {@code version}, creating or moving it. */
    void setAlias(String name, String alias, String version, String user, String reason);

    void deleteAlias(String name, String alias, String user, String reason);

    ModelVersion getModelVersionByAlias(String name, String alias);

    // ------------------------------------------------------------------ model versions

    /** Creates the next version (1, 2, … per model) in stage None, recording its files' digests. */
    ModelVersion createModelVersion(NewModelVersion spec, String user);

    ModelVersion getModelVersion(String name, String version);

    ModelVersion updateModelVersion(String name, String version, String description, String user);

    /** Deletes a version, its tags and the aliases pointing at it (recorded as alias moves). */
    void deleteModelVersion(String name, String version, String user);

    /**
     * MLflow's search: filter on {@code name}, {@code version_number}, {@code run_id} (also {@code IN}),
     * {@code source_path}, {@code tags.<key>}; order_by {@code name}, {@code version_number},
     * {@code creation_timestamp}, {@code last_updated_timestamp} (default {@code name ASC, version_number DESC}).
     */
    Page<ModelVersion> searchModelVersions(String filter, int maxResults, List<String> orderBy, String pageToken);

    void setModelVersionTag(String name, String version, Tag tag, String user);

    void deleteModelVersionTag(String name, String version, String key, String user);

    /**
     * Moves a version to {@code stage}; with {@code archiveExistingVersions} (only for Staging/Production) every other
     * version in that stage goes to Archived in the same transaction.
     */
    ModelVersion transitionStage(String name, String version, Stage stage, boolean archiveExistingVersions,
                                 String user, String reason);

    /** The files recorded at registration, sorted by path. */
    List<ModelFile> getModelVersionFiles(String name, String version);

    // ------------------------------------------------------------------ history and rollback

    /** Moves of a model, newest first; {@code kind}/{@code key} narrow it to one stage or alias (null: all). */
    List<Move> history(String name, String kind, String key);

    /**
     * Moves a stage or an alias back to the version that held it before its last move, in one transaction, recorded
     * as a move like any other — so rolling back twice returns to where it started. For a stage the two versions
     * swap stages (when the previous holder is still in the stage, the current holder goes to Archived).
     * {@code INVALID_PARAMETER_VALUE} when there is no earlier holder, or it has been deleted.
     */
    Rollback rollback(String name, String kind, String key, String user, String reason);

    /** The version that now holds the key, and the move that was recorded. */
    record Rollback(ModelVersion modelVersion, Move move) {
    }

    // ------------------------------------------------------------------ four-eyes

    /** Records a promotion that waits for a different user's approval; replaces an earlier identical request. */
    PendingTransition requestTransition(String name, String version, Stage stage, boolean archiveExistingVersions,
                                        String user, String reason);

    /** Pending requests, oldest first; all models when {@code name} is null. */
    List<PendingTransition> pendingTransitions(String name);

    /**
     * Performs a pending promotion and removes the request, in one transaction. {@code PERMISSION_DENIED} when
     * {@code approver} is the requester; {@code RESOURCE_DOES_NOT_EXIST} when no such request is pending.
     */
    ModelVersion approveTransition(String name, String version, Stage stage, String approver, String reason);

    // ------------------------------------------------------------------ audit

    /** Events oldest first, optionally of one model; opaque page tokens. */
    Page<AuditEvent> auditEvents(String model, int maxResults, String pageToken);

    /** Re-computes the whole chain ({@link dev.mlv.audit.AuditChain#verify}). */
    AuditVerification verifyAudit();

    // ------------------------------------------------------------------ webhooks

    /**
     * Registers a webhook ({@code webhook.create} audit event, without the secret). From then on, each mutation that
     * causes one of its events (a registered model or version created, a version tag set or deleted, an alias set,
     * moved, rolled back or deleted) queues a {@link WebhookDelivery} in its own transaction, while the webhook is
     * active. {@code name}, {@code url} and at
     * least one event are required; a null {@code active} means active. The URL's policy (schemes, public addresses)
     * is the caller's; the store checks only that it is an absolute http(s) URL.
     */
    Webhook createWebhook(Webhook.Spec spec, String user);

    /** {@code RESOURCE_DOES_NOT_EXIST} for an unknown id. */
    Webhook getWebhook(String id);

    /** Webhooks newest first; opaque page tokens. */
    Page<Webhook> listWebhooks(int maxResults, String pageToken);

    /** Changes the non-null fields of {@code change} ({@code webhook.update} audit event, without the secret). */
    Webhook updateWebhook(String id, Webhook.Spec change, String user);

    /** Removes a webhook ({@code webhook.delete} audit event). */
    void deleteWebhook(String id, String user);

    /**
     * Claims for {@code owner}, until {@code leaseMillis} from now, up to {@code max} pending deliveries whose next
     * attempt is due and that no other owner holds (a lease that ran out is free again); returns them, oldest first.
     * Two owners never hold the same delivery at once.
     */
    List<WebhookDelivery> claimWebhookDeliveries(String owner, int max, long leaseMillis);

    /**
     * Records an attempt at a delivery {@code owner} holds, and frees it: {@code DELIVERED} when {@code delivered},
     * else pending again at {@code retryAtMillis}, or {@code FAILED} when that is null. {@code httpStatus} (null
     * without an answer) and {@code error} describe the attempt. Does nothing when {@code owner} no longer holds it.
     */
    void recordWebhookAttempt(String deliveryId, String owner, boolean delivered, Integer httpStatus, String error,
                              Long retryAtMillis);

    /**
     * Queues a finished delivery again, due now, with its attempts counted afresh ({@code webhook.redeliver} audit
     * event): a receiver that was down gets the event it missed. {@code RESOURCE_DOES_NOT_EXIST} for an unknown id,
     * {@code INVALID_PARAMETER_VALUE} for a delivery still pending.
     */
    WebhookDelivery redeliverWebhookDelivery(String deliveryId, String user);

    /** A webhook's deliveries, newest first; opaque page tokens. Deliveries finished 30 days ago are removed. */
    Page<WebhookDelivery> webhookDeliveries(String webhookId, int maxResults, String pageToken);
}
