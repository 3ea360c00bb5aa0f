package dev.mlv.tracking;

import java.util.List;
import java.util.Optional;

/**
 * Metadata store of the tracking half: experiments, runs, params, metrics, tags, dataset inputs and MLflow 3's
 * logged models.
 *
 * <p>Contract shared by every backend (checked by {@code TrackingStoreContractTest}):
 * <ul>
 *   <li>Every method is atomic: it either applies all of its changes or none of them.</li>
 *   <li>Errors are {@link dev.mlv.errors.MlvException}s with MLflow's codes: {@code RESOURCE_DOES_NOT_EXIST} for an
 *       unknown id, {@code RESOURCE_ALREADY_EXISTS} for a duplicate experiment name, {@code INVALID_PARAMETER_VALUE}
 *       for a bad argument (a changed param value, a too long key, a malformed filter) and, as MLflow does, for a
 *       write to a deleted run or experiment ("must be in the 'active' state").</li>
 *   <li>Safe for concurrent use by many threads and by several processes sharing one database; concurrent writers
 *       lose nothing.</li>
 *   <li>Inputs are validated by the store itself (key names, lengths, MLflow's batch limits), so every entry point
 *       (REST, CLI, tests) gets the same rules.</li>
 *   <li>The experiment {@code "0"} named {@code Default} exists from the start.</li>
 * </ul>
 */
public interface TrackingStore extends AutoCloseable {

    /** Creates an experiment; a null {@code artifactLocation} means {@code <default artifact root>/<id>}. Returns its id. */
    String createExperiment(String name, String artifactLocation, List<Tag> tags);

    /** The experiment with this id, whatever its lifecycle stage. */
    Experiment getExperiment(String experimentId);

    /** The experiment with this exact name, whatever its lifecycle stage. */
    Optional<Experiment> getExperimentByName(String name);

    /** MLflow's experiment search: filter on {@code name}, {@code tags.<key>}, times; order_by; paging. */
    Page<Experiment> searchExperiments(ExperimentQuery query);

    void renameExperiment(String experimentId, String newName);

    /** Marks the experiment and its runs deleted (MLflow soft delete). */
    void deleteExperiment(String experimentId);

    void restoreExperiment(String experimentId);

    void setExperimentTag(String experimentId, Tag tag);

    void deleteExperimentTag(String experimentId, String key);

    /**
     * Creates a RUNNING run with a fresh 32-hex-character id. A null {@code runName} takes the {@code mlflow.runName}
     * tag if given, else a generated name; the run name is mirrored into the {@code mlflow.runName} tag.
     */
    Run createRun(String experimentId, String userId, long startTime, String runName, List<Tag> tags);

    Run getRun(String runId);

    /** Updates status, end time and/or name; null arguments leave the field as it is. */
    RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName);

    void deleteRun(String runId);

    void restoreRun(String runId);

    /**
     * Logs metrics, params and tags in one transaction, with MLflow's limits (1000 metrics, 100 params, 100 tags,
     * 1000 in all). Params are write-once: the same value again is accepted, a different one is
     * {@code INVALID_PARAMETER_VALUE} and nothing of the batch is written.
     */
    void logBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags);

    void deleteTag(String runId, String key);

    /**
     * Appends {@code entryJson} (one JSON value) to the JSON list in the run's tag {@code key}, or creates the tag with
     * a one-element list; the read and the write share one transaction, so concurrent appends to a run lose nothing.
     * MLflow's {@code runs/log-model} keeps a summary of every model logged in a run in {@code mlflow.log-model.history}
     * this way. {@code INVALID_PARAMETER_VALUE} when the run is not active, the tag does not hold a JSON list, or the
     * list outgrows a tag value.
     */
    void appendToTagList(String runId, String key, String entryJson);

    /**
     * {@link #logBatch(String, List, List, List)} plus metric points of logged models (MLflow 3's {@code model_id} on
     * a metric), in one transaction: each model metric is also a point of the run's own history. An unknown model is
     * {@code RESOURCE_DOES_NOT_EXIST}; a deleted one is accepted, as MLflow does.
     */
    void logBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags, List<ModelMetric> modelMetrics);

    /** Records dataset inputs; a dataset is identified by (experiment, name, digest) and stored once. */
    void logInputs(String runId, List<DatasetInput> inputs);

    /**
     * Records the logged models a run read ({@code runs/log-inputs}' {@code models}) or produced
     * ({@code runs/outputs}); recording the same model and direction again keeps the first step. The run must be
     * active; the models need not exist, as in MLflow.
     */
    void logModelIo(String runId, List<ModelIo> models);

    // ---------------------------------------------------------------- logged models (MLflow 3)

    /**
     * Creates a PENDING logged model in an active experiment, with a fresh {@code m-<32 hex>} id, its artifact location
     * {@code <experiment location>/models/<id>/artifacts}, and a generated name when {@code name} is null or empty.
     * Names may not contain {@code / : . % " '} (they appear in {@code models:/} URIs).
     */
    LoggedModel createLoggedModel(String experimentId, String name, String modelType, String sourceRunId,
                                  List<Param> params, List<Tag> tags);

    /**
     * The logged model with this id with its tags, params and every metric point; a deleted one only when
     * {@code allowDeleted}. Unknown: {@code RESOURCE_DOES_NOT_EXIST} "Logged model with ID '…' not found."
     */
    LoggedModel getLoggedModel(String modelId, boolean allowDeleted);

    /** Sets the status (MLflow's finalize: READY once its files are uploaded, or UPLOAD_FAILED) and returns the model. */
    LoggedModel finalizeLoggedModel(String modelId, LoggedModelStatus status);

    /** Marks the model deleted (soft delete, as MLflow does); its files stay. Deleting it again is accepted. */
    void deleteLoggedModel(String modelId);

    /** Sets (inserts or overwrites) tags of a model, all or none. */
    void setLoggedModelTags(String modelId, List<Tag> tags);

    /** Deletes one tag; {@code RESOURCE_DOES_NOT_EXIST} when the model has no such tag. */
    void deleteLoggedModelTag(String modelId, String key);

    /** Logs params of a model, write-once like run params: the same value again is accepted, another is rejected. */
    void logLoggedModelParams(String modelId, List<Param> params);

    /** MLflow's {@code logged-models/search}: never returns deleted models; newest first unless ordered otherwise. */
    Page<LoggedModel> searchLoggedModels(LoggedModelQuery query);

    /**
     * Every point of one metric of a run, ordered by step, timestamp then value, paged; {@code maxResults <= 0} means
     * MLflow's default page of 25,000 points. An unknown run is {@code RESOURCE_DOES_NOT_EXIST}; an unknown key is an
     * empty page.
     */
    Page<Metric> getMetricHistory(String runId, String metricKey, int maxResults, String pageToken);

    /** MLflow's run search: the full filter grammar, order_by on several keys, opaque page tokens. */
    Page<Run> searchRuns(RunQuery query);

    // ------------------------------------------------------------------ permanent deletion (mlv gc)

    /** Runs in the deleted stage that were deleted at or before {@code deletedBefore} (ms since the epoch), oldest first. */
    List<RunInfo> deletedRuns(long deletedBefore);

    /** Experiments in the deleted stage last changed at or before {@code deletedBefore}, oldest first. */
    List<Experiment> deletedExperiments(long deletedBefore);

    /**
     * Permanently removes a run in the deleted stage and everything logged to it (metrics, parameters, tags, dataset
     * inputs, links to logged models), in one transaction. {@code RESOURCE_DOES_NOT_EXIST} for an unknown run,
     * {@code INVALID_STATE} for one that is not deleted. Its artifacts are the caller's to remove.
     */
    void purgeRun(String runId);

    /**
     * Permanently removes an experiment in the deleted stage with all of its runs, logged models, datasets and tags,
     * in one transaction; errors as {@link #purgeRun}. The Default experiment ({@code 0}) cannot be purged.
     */
    void purgeExperiment(String experimentId);

    @Override
    void close();
}
