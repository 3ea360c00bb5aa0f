package dev.mlv.store.jdbc;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Dataset;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.ExperimentQuery;
import dev.mlv.tracking.LifecycleStage;
import dev.mlv.tracking.LoggedModel;
import dev.mlv.tracking.LoggedModelQuery;
import dev.mlv.tracking.LoggedModelStatus;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.ModelMetric;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.RunQuery;
import dev.mlv.tracking.RunStatus;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.tracking.TrackingValidation;
import dev.mlv.tracking.ViewType;
import dev.mlv.tracking.search.Clause;
import dev.mlv.tracking.search.OrderBy;
import dev.mlv.tracking.search.PageToken;
import dev.mlv.tracking.search.SearchFilter;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/** {@link TrackingStore} on a SQL database through {@link Database}; see the interface for the contract. */
public final class JdbcTrackingStore implements TrackingStore {
    static final String RUN_NAME_TAG = "mlflow.runName";
    private static final int DEFAULT_HISTORY_PAGE = 25_000;
    /** Bind values per IN list: well under SQLite's and PostgreSQL's limits. */
    private static final int IN_CHUNK = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final String defaultArtifactRoot;
    /** log-batch calls waiting for the single SQLite writer; see {@link #logBatch}. */
    private final ConcurrentLinkedQueue<PendingBatch> pendingBatches = new ConcurrentLinkedQueue<>();
    /** Held by the thread that commits the waiting log-batch calls as one group. */
    private final ReentrantLock batchCommitter = new ReentrantLock();

    private final JdbcLoggedModels loggedModels;

    public JdbcTrackingStore(Database db, String defaultArtifactRoot) {
        this.db = db;
        this.loggedModels = new JdbcLoggedModels(db);
        this.defaultArtifactRoot = defaultArtifactRoot == null ? "mlflow-artifacts:/" : defaultArtifactRoot;
        ensureDefaultExperiment();
    }

    private void ensureDefaultExperiment() {
        db.write(c -> {
            if (Jdbc.queryOne(c, "SELECT 1 FROM experiments WHERE experiment_id = 0", List.of(), rs -> 1).isEmpty()) {
                long now = System.currentTimeMillis();
                Jdbc.update(c, "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
                                + "creation_time, last_update_time) VALUES (0, ?, ?, ?, ?, ?)",
                        Experiment.DEFAULT_NAME, appendPath(defaultArtifactRoot, "0"), LifecycleStage.ACTIVE.wire(), now, now);
            }
            return null;
        });
    }

    // ================================================================ experiments

    @Override
    public String createExperiment(String name, String artifactLocation, List<Tag> tags) {
        TrackingValidation.experimentName(name);
        List<Tag> tagList = tags == null ? List.of() : tags;
        tagList.forEach(TrackingValidation::experimentTag);
        return db.write(c -> {
            if (Jdbc.queryOne(c, "SELECT 1 FROM experiments WHERE name = ?", List.of(name), rs -> 1).isPresent()) {
                throw MlvException.alreadyExists("Experiment(name=" + name + ") already exists.");
            }
            // never the id of an experiment removed for good (purgeExperiment raises the high-water mark)
            long id = Jdbc.queryOne(c, "SELECT MAX(v) + 1 FROM (SELECT COALESCE(MAX(experiment_id), 0) AS v FROM experiments "
                    + "UNION ALL SELECT value AS v FROM id_high_water WHERE name = 'experiment') ids", List.of(),
                    rs -> rs.getLong(1)).orElse(1L);
            long now = System.currentTimeMillis();
            String location = artifactLocation == null || artifactLocation.isEmpty()
                    ? appendPath(defaultArtifactRoot, Long.toString(id)) : artifactLocation;
            Jdbc.update(c, "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, "
                    + "creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)",
                    id, name, location, LifecycleStage.ACTIVE.wire(), now, now);
            for (Tag t : tagList) upsertExperimentTag(c, id, t);
            return Long.toString(id);
        });
    }

    @Override
    public Experiment getExperiment(String experimentId) {
        return db.read(c -> requireExperiment(c, experimentId));
    }

    @Override
    public Optional<Experiment> getExperimentByName(String name) {
        if (name == null) return Optional.empty();
        return db.read(c -> {
            Optional<Experiment> e = Jdbc.queryOne(c, "SELECT experiment_id, name, artifact_location, lifecycle_stage, "
                    + "creation_time, last_update_time FROM experiments WHERE name = ?", List.of(name), JdbcTrackingStore::experimentRow);
            if (e.isEmpty()) return e;
            return Optional.of(withTags(c, List.of(e.get())).get(0));
        });
    }

    @Override
    public Page<Experiment> searchExperiments(ExperimentQuery query) {
        int limit = maxResults(query.maxResults(), ExperimentQuery.DEFAULT_MAX_RESULTS, ExperimentQuery.MAX_RESULTS_LIMIT);
        ViewType view = query.viewType() == null ? ViewType.ACTIVE_ONLY : query.viewType();
        List<Clause> clauses = SearchFilter.parseExperimentFilter(query.filter());
        List<OrderBy> orderBy = SearchFilter.parseExperimentOrderBy(query.orderBy());
        String fp = PageToken.fingerprint("experiments", query.filter(), query.orderBy(), view);
        long offset = PageToken.decode(query.pageToken(), fp);
        SqlBuilder sql = SearchSql.experimentPage(db.dialect(), view, clauses, orderBy, limit + 1, offset);
        return db.read(c -> {
            List<Experiment> rows = Jdbc.query(c, sql, JdbcTrackingStore::experimentRow);
            String next = null;
            if (rows.size() > limit) {
                rows = rows.subList(0, limit);
                next = PageToken.encode(offset + limit, fp);
            }
            return new Page<>(withTags(c, rows), next);
        });
    }

    @Override
    public void renameExperiment(String experimentId, String newName) {
        TrackingValidation.experimentName(newName);
        db.write(c -> {
            Experiment e = requireExperiment(c, experimentId);
            if (e.lifecycleStage() != LifecycleStage.ACTIVE) {
                throw MlvException.invalid("Cannot rename a non-active experiment.");
            }
            if (e.name().equals(newName)) return null;
            if (Jdbc.queryOne(c, "SELECT 1 FROM experiments WHERE name = ?", List.of(newName), rs -> 1).isPresent()) {
                throw MlvException.alreadyExists("Experiment(name=" + newName + ") already exists.");
            }
            Jdbc.update(c, "UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?",
                    newName, System.currentTimeMillis(), id(experimentId));
            return null;
        });
    }

    @Override
    public void deleteExperiment(String experimentId) {
        setExperimentLifecycle(experimentId, LifecycleStage.DELETED);
    }

    @Override
    public void restoreExperiment(String experimentId) {
        setExperimentLifecycle(experimentId, LifecycleStage.ACTIVE);
    }

    private void setExperimentLifecycle(String experimentId, LifecycleStage stage) {
        db.write(c -> {
            requireExperiment(c, experimentId);
            long now = System.currentTimeMillis();
            long id = id(experimentId);
            Jdbc.update(c, "UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?",
                    stage.wire(), now, id);
            if (stage == LifecycleStage.DELETED) {
                Jdbc.update(c, "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ? "
                        + "AND lifecycle_stage = ?", stage.wire(), now, id, LifecycleStage.ACTIVE.wire());
            } else {
                Jdbc.update(c, "UPDATE runs SET lifecycle_stage = ?, deleted_time = NULL WHERE experiment_id = ? "
                        + "AND lifecycle_stage = ?", stage.wire(), id, LifecycleStage.DELETED.wire());
            }
            return null;
        });
    }

    @Override
    public void setExperimentTag(String experimentId, Tag tag) {
        TrackingValidation.experimentTag(tag);
        db.write(c -> {
            requireActiveExperiment(c, experimentId);
            upsertExperimentTag(c, id(experimentId), tag);
            return null;
        });
    }

    @Override
    public void deleteExperimentTag(String experimentId, String key) {
        db.write(c -> {
            requireActiveExperiment(c, experimentId);
            int n = Jdbc.update(c, "DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?", id(experimentId), key);
            if (n == 0) {
                throw MlvException.notFound("No tag with name: " + key + " in experiment with id " + experimentId);
            }
            return null;
        });
    }

    private static void upsertExperimentTag(Connection c, long experimentId, Tag t) throws SQLException {
        Jdbc.update(c, "INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?) "
                + "ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value", experimentId, t.key(), t.value());
    }

    static Experiment requireExperiment(Connection c, String experimentId) throws SQLException {
        Long id = parseId(experimentId);
        Optional<Experiment> e = id == null ? Optional.empty() : Jdbc.queryOne(c, "SELECT experiment_id, name, "
                + "artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments "
                + "WHERE experiment_id = ?", List.of(id), JdbcTrackingStore::experimentRow);
        if (e.isEmpty()) throw MlvException.notFound("No Experiment with id=" + experimentId + " exists");
        return withTags(c, List.of(e.get())).get(0);
    }

    static Experiment requireActiveExperiment(Connection c, String experimentId) throws SQLException {
        Experiment e = requireExperiment(c, experimentId);
        if (e.lifecycleStage() != LifecycleStage.ACTIVE) {
            throw MlvException.invalid("The experiment " + experimentId + " must be in the 'active' state. "
                    + "Current state is " + e.lifecycleStage().wire() + ".");
        }
        return e;
    }

    private static Experiment experimentRow(ResultSet rs) throws SQLException {
        return new Experiment(Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3),
                stage(rs.getString(4)), rs.getLong(5), rs.getLong(6), List.of());
    }

    private static List<Experiment> withTags(Connection c, List<Experiment> exps) throws SQLException {
        if (exps.isEmpty()) return exps;
        Map<Long, List<Tag>> tags = new HashMap<>();
        List<Long> ids = exps.stream().map(e -> Long.parseLong(e.experimentId())).toList();
        for (List<Long> chunk : chunks(ids)) {
            SqlBuilder b = new SqlBuilder().sql("SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN ")
                    .in(chunk).sql(" ORDER BY experiment_id, key");
            for (Object[] row : Jdbc.query(c, b, rs -> new Object[]{rs.getLong(1), new Tag(rs.getString(2), rs.getString(3))})) {
                tags.computeIfAbsent((Long) row[0], k -> new ArrayList<>()).add((Tag) row[1]);
            }
        }
        List<Experiment> out = new ArrayList<>(exps.size());
        for (Experiment e : exps) {
            out.add(new Experiment(e.experimentId(), e.name(), e.artifactLocation(), e.lifecycleStage(), e.creationTime(),
                    e.lastUpdateTime(), List.copyOf(tags.getOrDefault(Long.parseLong(e.experimentId()), List.of()))));
        }
        return out;
    }

    // ================================================================ runs

    @Override
    public Run createRun(String experimentId, String userId, long startTime, String runName, List<Tag> tags) {
        List<Tag> tagList = tags == null ? List.of() : tags;
        tagList.forEach(TrackingValidation::runTag);
        String nameTag = null;
        for (Tag t : tagList) if (t.key().equals(RUN_NAME_TAG)) nameTag = t.value();
        if (runName != null && !runName.isEmpty() && nameTag != null && !nameTag.equals(runName)) {
            throw MlvException.invalid("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with "
                    + "different values (run_name='" + runName + "', mlflow.runName='" + nameTag + "').");
        }
        String name = runName != null && !runName.isEmpty() ? runName : nameTag != null ? nameTag : RunNames.generate(RANDOM);
        TrackingValidation.runName(name);
        String runId = UUID.randomUUID().toString().replace("-", "");
        return db.write(c -> {
            Experiment e = requireActiveExperiment(c, experimentId);
            String artifactUri = appendPath(appendPath(e.artifactLocation(), runId), "artifacts");
            Jdbc.update(c, "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, "
                            + "artifact_uri, lifecycle_stage) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)",
                    runId, id(experimentId), name, userId, RunStatus.RUNNING.name(), startTime, artifactUri,
                    LifecycleStage.ACTIVE.wire());
            Map<String, String> merged = new LinkedHashMap<>();
            for (Tag t : tagList) merged.put(t.key(), t.value());
            merged.put(RUN_NAME_TAG, name);
            upsertTags(c, runId, merged);
            return loadRuns(c, List.of(requireRun(c, runId))).get(0);
        });
    }

    @Override
    public Run getRun(String runId) {
        return db.read(c -> loadRuns(c, List.of(requireRun(c, runId))).get(0));
    }

    @Override
    public RunInfo updateRun(String runId, RunStatus status, Long endTime, String runName) {
        TrackingValidation.runName(runName);
        return db.write(c -> {
            RunInfo r = requireActiveRun(c, runId);
            String name = runName != null && !runName.isEmpty() ? runName : r.runName();
            Jdbc.update(c, "UPDATE runs SET status = ?, end_time = ?, name = ? WHERE run_uuid = ?",
                    (status != null ? status : r.status()).name(), endTime != null ? endTime : r.endTime(), name, runId);
            if (runName != null && !runName.isEmpty()) upsertTags(c, runId, Map.of(RUN_NAME_TAG, runName));
            return requireRun(c, runId);
        });
    }

    @Override
    public void deleteRun(String runId) {
        db.write(c -> {
            requireRun(c, runId);
            Jdbc.update(c, "UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?",
                    LifecycleStage.DELETED.wire(), System.currentTimeMillis(), runId);
            return null;
        });
    }

    // ================================================================ permanent deletion

    @Override
    public List<RunInfo> deletedRuns(long deletedBefore) {
        return db.read(c -> Jdbc.query(c, "SELECT " + SearchSql.RUN_COLUMNS + " FROM runs r WHERE r.lifecycle_stage = ? "
                        + "AND r.deleted_time <= ? ORDER BY r.deleted_time, r.run_uuid", List.of(LifecycleStage.DELETED.wire(), deletedBefore),
                JdbcTrackingStore::runRow));
    }

    @Override
    public List<Experiment> deletedExperiments(long deletedBefore) {
        return db.read(c -> withTags(c, Jdbc.query(c, "SELECT experiment_id, name, artifact_location, lifecycle_stage, "
                        + "creation_time, last_update_time FROM experiments WHERE lifecycle_stage = ? AND last_update_time <= ? "
                        + "ORDER BY last_update_time, experiment_id", List.of(LifecycleStage.DELETED.wire(), deletedBefore),
                JdbcTrackingStore::experimentRow)));
    }

    /** What is logged to runs, children first: each table keyed by {@code run_uuid}. */
    private static final List<String> RUN_TABLES = List.of("run_input_tags", "run_inputs", "metrics", "latest_metrics",
            "params", "tags", "run_models", "logged_model_metrics");

    @Override
    public void purgeRun(String runId) {
        db.write(c -> {
            RunInfo r = requireRun(c, runId);
            if (r.lifecycleStage() != LifecycleStage.DELETED) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Run " + runId + " is not in the 'deleted' lifecycle stage: only "
                        + "deleted runs can be removed for good (delete it first)");
            }
            for (String table : RUN_TABLES) Jdbc.update(c, "DELETE FROM " + table + " WHERE run_uuid = ?", runId);
            Jdbc.update(c, "DELETE FROM runs WHERE run_uuid = ?", runId);
            return null;
        });
    }

    @Override
    public void purgeExperiment(String experimentId) {
        db.write(c -> {
            Experiment e = requireExperiment(c, experimentId);
            if (e.experimentId().equals(Experiment.DEFAULT_ID)) throw MlvException.invalid("The Default experiment cannot be removed");
            if (e.lifecycleStage() != LifecycleStage.DELETED) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Experiment " + experimentId + " is not in the 'deleted' lifecycle "
                        + "stage: only deleted experiments can be removed for good (delete it first)");
            }
            long id = id(experimentId);
            String runs = "SELECT run_uuid FROM runs WHERE experiment_id = ?";
            String models = "SELECT model_id FROM logged_models WHERE experiment_id = ?";
            for (String table : RUN_TABLES) Jdbc.update(c, "DELETE FROM " + table + " WHERE run_uuid IN (" + runs + ")", id);
            for (String table : List.of("logged_model_metrics", "logged_model_params", "logged_model_tags", "run_models")) {
                Jdbc.update(c, "DELETE FROM " + table + " WHERE model_id IN (" + models + ")", id);
            }
            for (String table : List.of("runs", "logged_models", "datasets", "experiment_tags", "experiments")) {
                Jdbc.update(c, "DELETE FROM " + table + " WHERE experiment_id = ?", id);
            }
            Jdbc.update(c, "UPDATE id_high_water SET value = ? WHERE name = 'experiment' AND value < ?", id, id);
            return null;
        });
    }

    @Override
    public void restoreRun(String runId) {
        db.write(c -> {
            requireRun(c, runId);
            Jdbc.update(c, "UPDATE runs SET lifecycle_stage = ?, deleted_time = NULL WHERE run_uuid = ?",
                    LifecycleStage.ACTIVE.wire(), runId);
            return null;
        });
    }

    /**
     * Validates the batch once, then writes it atomically. On SQLite, whose single writer connection serializes all
     * writes, concurrent calls are committed together (group commit): each call queues its batch, and whichever
     * caller gets the writer first writes every queued batch in one transaction, each inside its own savepoint, so a
     * batch that fails (run not active, changed param value) is rolled back alone and only its caller sees the error;
     * a database failure fails every call of the group. One commit and one set of prepared statements then serve many
     * requests. Other databases have concurrent writers and write each call in its own transaction.
     */
    @Override
    public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags) {
        List<Metric> ms = metrics == null ? List.of() : metrics;
        List<Param> ps = params == null ? List.of() : params;
        List<Tag> ts = tags == null ? List.of() : tags;
        TrackingValidation.batch(ms, ps, ts);
        PendingBatch mine = new PendingBatch(runId, ms, ps, ts);
        if (db.dialect() != Dialect.SQLITE) {
            db.write(c -> {
                try (BatchStatements st = new BatchStatements(c)) {
                    applyBatch(c, st, mine);
                }
                return null;
            });
            return;
        }
        pendingBatches.add(mine);
        // Whoever gets the committer writes everything queued, then wakes the callers it wrote for (they return at
        // once, without queueing for the committer) and the caller at the head of the queue, which commits next.
        // Every caller tries the committer after queueing, so a queued batch is always written by someone.
        while (!mine.done) {
            if (batchCommitter.tryLock()) {
                try {
                    if (!mine.done) commitPendingBatches();
                } finally {
                    batchCommitter.unlock();
                }
                PendingBatch next = pendingBatches.peek();
                if (next != null) java.util.concurrent.locks.LockSupport.unpark(next.caller);
            } else {
                java.util.concurrent.locks.LockSupport.park(this);
            }
        }
        if (mine.failure != null) throw mine.failure;
    }

    @Override
    public void logBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags, List<ModelMetric> modelMetrics) {
        if (modelMetrics == null || modelMetrics.isEmpty()) {
            logBatch(runId, metrics, params, tags);
            return;
        }
        List<Metric> all = new ArrayList<>(metrics == null ? List.of() : metrics);
        for (ModelMetric mm : modelMetrics) all.add(mm.metric());
        List<Param> ps = params == null ? List.of() : params;
        List<Tag> ts = tags == null ? List.of() : tags;
        TrackingValidation.batch(all, ps, ts);
        db.write(c -> {
            try (BatchStatements st = new BatchStatements(c)) {
                applyBatch(c, st, new PendingBatch(runId, all, ps, ts));
            }
            JdbcLoggedModels.insertMetrics(c, runId, modelMetrics);
            return null;
        });
    }

    /** One queued log-batch call; {@code done} and {@code failure} are written by the thread that committed it. */
    private static final class PendingBatch {
        final String runId;
        final List<Metric> metrics;
        final List<Param> params;
        final List<Tag> tags;
        final Thread caller = Thread.currentThread();
        /** Set after {@code failure}, by the committing thread. */
        volatile boolean done;
        RuntimeException failure;

        PendingBatch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags) {
            this.runId = runId;
            this.metrics = metrics;
            this.params = params;
            this.tags = tags;
        }
    }

    /** Writes every queued batch in one transaction; called with {@link #batchCommitter} held. */
    private void commitPendingBatches() {
        List<PendingBatch> group = new ArrayList<>();
        for (PendingBatch p; (p = pendingBatches.poll()) != null; ) group.add(p);
        if (group.isEmpty()) return;
        Map<PendingBatch, RuntimeException> failed;
        try {
            failed = db.write(c -> {
                Map<PendingBatch, RuntimeException> rejected = new java.util.IdentityHashMap<>();
                try (BatchStatements st = new BatchStatements(c)) {
                    if (group.size() == 1) {
                        applyBatch(c, st, group.get(0)); // alone: a failure rolls back the whole transaction
                    } else {
                        for (PendingBatch p : group) {
                            java.sql.Savepoint sp = c.setSavepoint();
                            try {
                                applyBatch(c, st, p);
                            } catch (MlvException e) {
                                c.rollback(sp);
                                rejected.put(p, e);
                            }
                            c.releaseSavepoint(sp);
                        }
                    }
                }
                return rejected;
            });
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r
                    : new MlvException(dev.mlv.errors.ErrorCode.INTERNAL_ERROR, "log-batch failed: " + e, e);
            for (PendingBatch p : group) {
                p.failure = failure;
                p.done = true;
                java.util.concurrent.locks.LockSupport.unpark(p.caller);
            }
            if (e instanceof Error err) throw err;
            return;
        }
        for (PendingBatch p : group) {
            p.failure = failed.get(p);
            p.done = true;
            java.util.concurrent.locks.LockSupport.unpark(p.caller);
        }
    }

    private void applyBatch(Connection c, BatchStatements st, PendingBatch b) throws SQLException {
        requireActiveRun(c, b.runId);
        if (!b.params.isEmpty()) insertParams(c, b.runId, b.params);
        if (!b.tags.isEmpty()) {
            Map<String, String> merged = new LinkedHashMap<>();
            for (Tag t : b.tags) merged.put(t.key(), t.value());
            upsertTags(c, b.runId, merged);
        }
        if (!b.metrics.isEmpty()) insertMetrics(st, b.runId, b.metrics);
    }

    /** The metric statements of one write transaction, prepared when first used and reused by every batch in it. */
    private static final class BatchStatements implements AutoCloseable {
        private final Connection c;
        private PreparedStatement insertMetric;
        private PreparedStatement upsertLatest;

        BatchStatements(Connection c) {
            this.c = c;
        }

        PreparedStatement insertMetric() throws SQLException {
            if (insertMetric == null) {
                insertMetric = c.prepareStatement("INSERT INTO metrics (run_uuid, key, value, timestamp, step, is_nan) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
            }
            return insertMetric;
        }

        /** Newer by (step, timestamp, value) as MLflow decides; NaN stores 0 and compares as 0. */
        PreparedStatement upsertLatest() throws SQLException {
            if (upsertLatest == null) {
                upsertLatest = c.prepareStatement("INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step, "
                        + "is_nan) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value, "
                        + "timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan "
                        + "WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND "
                        + "(excluded.timestamp > latest_metrics.timestamp OR (excluded.timestamp = latest_metrics.timestamp "
                        + "AND excluded.value > latest_metrics.value)))");
            }
            return upsertLatest;
        }

        @Override
        public void close() throws SQLException {
            try {
                if (insertMetric != null) insertMetric.close();
            } finally {
                if (upsertLatest != null) upsertLatest.close();
            }
        }
    }

    private static void insertParams(Connection c, String runId, List<Param> ps) throws SQLException {
        insertWriteOnce(c, "params", "run_uuid", runId, "run ID='" + runId + "'", ps);
    }

    /**
     * Write-once params of the owner {@code ownerId} in {@code table} (columns {@code ownerColumn}, key, value): the same
     * value again is accepted, a different one rejects the whole call; {@code owner} names the owner in that message.
     * One query reads what exists and one batch inserts the rest.
     */
    static void insertWriteOnce(Connection c, String table, String ownerColumn, String ownerId, String owner,
                                List<Param> ps) throws SQLException {
        if (ps.isEmpty()) return;
        Map<String, String> existing = new HashMap<>();
        SqlBuilder q = new SqlBuilder().sql("SELECT key, value FROM " + table + " WHERE " + ownerColumn + " = ?", ownerId)
                .sql(" AND key IN ").in(ps.stream().map(Param::key).toList());
        for (Param p : Jdbc.query(c, q, rs -> new Param(rs.getString(1), rs.getString(2)))) existing.put(p.key(), p.value());
        List<Param> fresh = new ArrayList<>();
        for (Param p : ps) {
            String old = existing.get(p.key());
            if (old == null) fresh.add(p);
            else if (!old.equals(p.value())) {
                throw MlvException.invalid("Changing param values is not allowed. Param with key='" + p.key()
                        + "' was already logged with value='" + old + "' for " + owner
                        + ". Attempted logging new value '" + p.value() + "'.");
            }
        }
        if (fresh.isEmpty()) return;
        // A plain INSERT: a concurrent writer of the same key makes it fail and Database.write retries the batch,
        // which then sees that writer's value.
        try (PreparedStatement st = c.prepareStatement("INSERT INTO " + table + " (" + ownerColumn + ", key, value) VALUES (?, ?, ?)")) {
            for (Param p : fresh) {
                st.setString(1, ownerId);
                st.setString(2, p.key());
                st.setString(3, p.value());
                st.addBatch();
            }
            st.executeBatch();
        }
    }

    private void upsertTags(Connection c, String runId, Map<String, String> tags) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO tags (run_uuid, key, value) VALUES (?, ?, ?) "
                + "ON CONFLICT (run_uuid, key) DO UPDATE SET value = excluded.value")) {
            for (Map.Entry<String, String> t : tags.entrySet()) {
                st.setString(1, runId);
                st.setString(2, t.getKey());
                st.setString(3, t.getValue());
                st.addBatch();
            }
            st.executeBatch();
        }
        String name = tags.get(RUN_NAME_TAG);
        if (name != null) Jdbc.update(c, "UPDATE runs SET name = ? WHERE run_uuid = ?", name, runId);
    }

    /** Inserts the points and upserts the batch's newest point per key into latest_metrics: one row per key. */
    private static void insertMetrics(BatchStatements statements, String runId, List<Metric> ms) throws SQLException {
        Map<String, Metric> latest = new LinkedHashMap<>();
        PreparedStatement st = statements.insertMetric();
        for (Metric m : ms) {
            bindMetric(st, runId, m);
            st.addBatch();
            latest.merge(m.key(), m, (a, b) -> newer(b, a) ? b : a);
        }
        st.executeBatch();
        PreparedStatement up = statements.upsertLatest();
        for (Metric m : latest.values()) {
            bindMetric(up, runId, m);
            up.addBatch();
        }
        up.executeBatch();
    }

    private static void bindMetric(PreparedStatement st, String runId, Metric m) throws SQLException {
        boolean nan = Double.isNaN(m.value());
        st.setString(1, runId);
        st.setString(2, m.key());
        st.setDouble(3, nan ? 0 : m.value());
        st.setLong(4, m.timestamp());
        st.setLong(5, m.step());
        st.setInt(6, nan ? 1 : 0);
    }

    private static boolean newer(Metric a, Metric b) {
        if (a.step() != b.step()) return a.step() > b.step();
        if (a.timestamp() != b.timestamp()) return a.timestamp() > b.timestamp();
        return stored(a.value()) > stored(b.value());
    }

    private static double stored(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    @Override
    public void deleteTag(String runId, String key) {
        db.write(c -> {
            requireActiveRun(c, runId);
            int n = Jdbc.update(c, "DELETE FROM tags WHERE run_uuid = ? AND key = ?", runId, key);
            if (n == 0) throw MlvException.notFound("No tag with name: " + key + " in run with id " + runId);
            return null;
        });
    }

    @Override
    public void appendToTagList(String runId, String key, String entryJson) {
        db.write(c -> {
            requireActiveRun(c, runId);
            // a row lock on the run (PostgreSQL; SQLite's writes are serialized anyway), so appends never interleave
            Jdbc.update(c, "UPDATE runs SET name = name WHERE run_uuid = ?", runId);
            Optional<String> old = Jdbc.queryOne(c, "SELECT value FROM tags WHERE run_uuid = ? AND key = ?",
                    List.of(runId, key), rs -> rs.getString(1));
            String list;
            if (old.isEmpty() || old.get().isBlank()) {
                list = "[" + entryJson + "]";
            } else {
                String prev = old.get().strip();
                if (!prev.startsWith("[") || !prev.endsWith("]")) {
                    throw MlvException.invalid("Tag '" + key + "' of run " + runId + " does not hold a JSON list");
                }
                String items = prev.substring(1, prev.length() - 1).strip();
                list = "[" + items + (items.isEmpty() ? "" : ", ") + entryJson + "]";
            }
            Tag tag = new Tag(key, list);
            TrackingValidation.runTag(tag);
            upsertTags(c, runId, Map.of(tag.key(), tag.value()));
            return null;
        });
    }

    @Override
    public void logInputs(String runId, List<DatasetInput> inputs) {
        List<DatasetInput> ins = inputs == null ? List.of() : inputs;
        for (DatasetInput in : ins) {
            if (in == null) throw MlvException.invalid("Missing dataset input");
            TrackingValidation.dataset(in.dataset());
            if (in.tags() != null) {
                for (Tag t : in.tags()) {
                    if (t == null || t.key() == null || t.key().isEmpty() || t.value() == null) {
                        throw MlvException.invalid("Invalid input tag " + t + ": key and value are required");
                    }
                    if (t.key().length() > 255) throw MlvException.invalid("Input tag key '" + t.key() + "' is longer than 255 characters");
                    if (t.value().length() > 500) throw MlvException.invalid("Input tag value for '" + t.key() + "' is longer than 500 characters");
                }
            }
        }
        db.write(c -> {
            RunInfo run = requireActiveRun(c, runId);
            long experimentId = Long.parseLong(run.experimentId());
            for (DatasetInput in : ins) {
                Dataset d = in.dataset();
                Optional<String> existing = Jdbc.queryOne(c, "SELECT dataset_uuid FROM datasets WHERE experiment_id = ? "
                        + "AND name = ? AND digest = ?", List.of(experimentId, d.name(), d.digest()), rs -> rs.getString(1));
                String datasetId;
                if (existing.isPresent()) {
                    datasetId = existing.get();
                } else {
                    datasetId = UUID.randomUUID().toString().replace("-", "");
                    Jdbc.update(c, "INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, source_type, source, "
                                    + "dataset_schema, dataset_profile) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            datasetId, experimentId, d.name(), d.digest(), d.sourceType(), d.source(), d.schema(), d.profile());
                }
                int added = Jdbc.update(c, "INSERT INTO run_inputs (run_uuid, dataset_uuid) VALUES (?, ?) "
                        + "ON CONFLICT DO NOTHING", runId, datasetId);
                if (added > 0 && in.tags() != null) {
                    for (Tag t : in.tags()) {
                        Jdbc.update(c, "INSERT INTO run_input_tags (run_uuid, dataset_uuid, key, value) VALUES (?, ?, ?, ?) "
                                + "ON CONFLICT (run_uuid, dataset_uuid, key) DO UPDATE SET value = excluded.value",
                                runId, datasetId, t.key(), t.value());
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void logModelIo(String runId, List<ModelIo> models) {
        List<ModelIo> ms = models == null ? List.of() : models;
        for (ModelIo m : ms) {
            if (m == null || m.modelId() == null || m.modelId().isEmpty()) {
                throw MlvException.invalid("Missing value for required parameter 'model_id'");
            }
            if (m.modelId().length() > 36) throw MlvException.invalid("Invalid model id '" + m.modelId() + "'");
        }
        db.write(c -> {
            requireActiveRun(c, runId);
            for (ModelIo m : ms) {
                Jdbc.update(c, "INSERT INTO run_models (run_uuid, model_id, direction, step) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING", runId, m.modelId(), m.direction().name(), m.step());
            }
            return null;
        });
    }

    // ================================================================ logged models

    @Override
    public LoggedModel createLoggedModel(String experimentId, String name, String modelType, String sourceRunId,
                                         List<Param> params, List<Tag> tags) {
        return loggedModels.create(experimentId, name, modelType, sourceRunId, params, tags);
    }

    @Override
    public LoggedModel getLoggedModel(String modelId, boolean allowDeleted) {
        return loggedModels.get(modelId, allowDeleted);
    }

    @Override
    public LoggedModel finalizeLoggedModel(String modelId, LoggedModelStatus status) {
        return loggedModels.finalizeModel(modelId, status);
    }

    @Override
    public void deleteLoggedModel(String modelId) {
        loggedModels.delete(modelId);
    }

    @Override
    public void setLoggedModelTags(String modelId, List<Tag> tags) {
        loggedModels.setTags(modelId, tags);
    }

    @Override
    public void deleteLoggedModelTag(String modelId, String key) {
        loggedModels.deleteTag(modelId, key);
    }

    @Override
    public void logLoggedModelParams(String modelId, List<Param> params) {
        loggedModels.logParams(modelId, params);
    }

    @Override
    public Page<LoggedModel> searchLoggedModels(LoggedModelQuery query) {
        return loggedModels.search(query);
    }

    @Override
    public Page<Metric> getMetricHistory(String runId, String metricKey, int maxResults, String pageToken) {
        int limit = maxResults <= 0 ? DEFAULT_HISTORY_PAGE : maxResults;
        String fp = PageToken.fingerprint("history", runId, metricKey);
        long offset = PageToken.decode(pageToken, fp);
        return db.read(c -> {
            requireRun(c, runId);
            List<Metric> rows = Jdbc.query(c, "SELECT key, value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? "
                            + "AND key = ? ORDER BY step, timestamp, value LIMIT ? OFFSET ?",
                    List.of(runId, metricKey == null ? "" : metricKey, limit + 1, offset), JdbcTrackingStore::metricRow);
            if (rows.size() > limit) return new Page<>(List.copyOf(rows.subList(0, limit)), PageToken.encode(offset + limit, fp));
            return new Page<>(rows, null);
        });
    }

    @Override
    public Page<Run> searchRuns(RunQuery query) {
        int limit = maxResults(query.maxResults(), RunQuery.DEFAULT_MAX_RESULTS, RunQuery.MAX_RESULTS_LIMIT);
        ViewType view = query.viewType() == null ? ViewType.ACTIVE_ONLY : query.viewType();
        List<Clause> clauses = SearchFilter.parseRunFilter(query.filter());
        List<OrderBy> orderBy = SearchFilter.parseRunOrderBy(query.orderBy());
        List<Long> experimentIds = new ArrayList<>();
        for (String id : query.experimentIds() == null ? List.<String>of() : query.experimentIds()) {
            Long parsed = parseId(id);
            if (parsed == null) throw MlvException.invalid("Invalid experiment id '" + id + "': expected a decimal id");
            experimentIds.add(parsed);
        }
        String fp = PageToken.fingerprint("runs", experimentIds, query.filter(), query.orderBy(), view);
        long offset = PageToken.decode(query.pageToken(), fp);
        if (experimentIds.isEmpty()) return new Page<>(List.of(), null);
        SqlBuilder sql = SearchSql.runPage(db.dialect(), experimentIds, view, clauses, orderBy, limit + 1, offset);
        return db.read(c -> {
            List<RunInfo> infos = Jdbc.query(c, sql, JdbcTrackingStore::runRow);
            String next = null;
            if (infos.size() > limit) {
                infos = infos.subList(0, limit);
                next = PageToken.encode(offset + limit, fp);
            }
            return new Page<>(loadRuns(c, infos), next);
        });
    }

    private static int maxResults(int requested, int dflt, int cap) {
        if (requested <= 0) return dflt;
        if (requested > cap) {
            throw MlvException.invalid("Invalid value for request parameter max_results. It must be at most " + cap
                    + ", but got value " + requested);
        }
        return requested;
    }

    // ================================================================ loading runs

    static RunInfo requireRun(Connection c, String runId) throws SQLException {
        if (runId == null || runId.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'run_id'");
        return Jdbc.queryOne(c, "SELECT " + SearchSql.RUN_COLUMNS + " FROM runs r WHERE r.run_uuid = ?", List.of(runId),
                        JdbcTrackingStore::runRow)
                .orElseThrow(() -> MlvException.notFound("Run with id=" + runId + " not found"));
    }

    private RunInfo requireActiveRun(Connection c, String runId) throws SQLException {
        RunInfo r = requireRun(c, runId);
        if (r.lifecycleStage() != LifecycleStage.ACTIVE) {
            throw MlvException.invalid("The run " + runId + " must be in the 'active' state. Current state is "
                    + r.lifecycleStage().wire() + ".");
        }
        return r;
    }

    private static RunInfo runRow(ResultSet rs) throws SQLException {
        long end = rs.getLong(7);
        Long endTime = rs.wasNull() ? null : end;
        return new RunInfo(rs.getString(1), Long.toString(rs.getLong(2)), rs.getString(3), rs.getString(4),
                RunStatus.parse(rs.getString(5)), rs.getLong(6), endTime, rs.getString(8),
                stage(rs.getString(9)));
    }

    private static Metric metricRow(ResultSet rs) throws SQLException {
        return new Metric(rs.getString(1), rs.getInt(5) == 1 ? Double.NaN : rs.getDouble(2), rs.getLong(3), rs.getLong(4));
    }

    /** The runs with their latest metrics, params, tags and inputs: a few IN queries per page, never one per run. */
    private static List<Run> loadRuns(Connection c, List<RunInfo> infos) throws SQLException {
        if (infos.isEmpty()) return List.of();
        List<String> ids = infos.stream().map(RunInfo::runId).toList();
        Map<String, List<Metric>> metrics = new HashMap<>();
        Map<String, List<Param>> params = new HashMap<>();
        Map<String, List<Tag>> tags = new HashMap<>();
        Map<String, Map<String, DatasetInput>> inputs = new HashMap<>();
        Map<String, List<ModelIo>> models = new HashMap<>();
        for (List<String> chunk : chunks(ids)) {
            forEachRow(c, new SqlBuilder().sql("SELECT run_uuid, key, value, timestamp, step, is_nan FROM latest_metrics "
                    + "WHERE run_uuid IN ").in(chunk).sql(" ORDER BY run_uuid, key"), rs -> metrics
                    .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Metric(rs.getString(2), rs.getInt(6) == 1 ? Double.NaN : rs.getDouble(3), rs.getLong(4), rs.getLong(5))));
            forEachRow(c, new SqlBuilder().sql("SELECT run_uuid, key, value FROM params WHERE run_uuid IN ").in(chunk)
                    .sql(" ORDER BY run_uuid, key"), rs -> params.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Param(rs.getString(2), rs.getString(3))));
            forEachRow(c, new SqlBuilder().sql("SELECT run_uuid, key, value FROM tags WHERE run_uuid IN ").in(chunk)
                    .sql(" ORDER BY run_uuid, key"), rs -> tags.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Tag(rs.getString(2), rs.getString(3))));
            forEachRow(c, new SqlBuilder().sql("SELECT run_uuid, model_id, direction, step FROM run_models WHERE run_uuid IN ")
                    .in(chunk).sql(" ORDER BY run_uuid, direction, step, model_id"), rs -> models
                    .computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new ModelIo(rs.getString(2), ModelIo.Direction.valueOf(rs.getString(3)), rs.getLong(4))));
            Map<String, Dataset> datasets = new HashMap<>();
            forEachRow(c, new SqlBuilder().sql("SELECT ri.run_uuid, d.dataset_uuid, d.name, d.digest, d.source_type, "
                    + "d.source, d.dataset_schema, d.dataset_profile FROM run_inputs ri JOIN datasets d ON "
                    + "d.dataset_uuid = ri.dataset_uuid WHERE ri.run_uuid IN ").in(chunk)
                    .sql(" ORDER BY ri.run_uuid, d.name, d.digest"), rs -> {
                Dataset d = new Dataset(rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                        rs.getString(7), rs.getString(8));
                datasets.put(rs.getString(2), d);
                inputs.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
                        .put(rs.getString(2), new DatasetInput(d, new ArrayList<>()));
            });
            if (!datasets.isEmpty()) {
                forEachRow(c, new SqlBuilder().sql("SELECT run_uuid, dataset_uuid, key, value FROM run_input_tags "
                        + "WHERE run_uuid IN ").in(chunk).sql(" ORDER BY run_uuid, dataset_uuid, key"), rs -> {
                    DatasetInput in = inputs.getOrDefault(rs.getString(1), Map.of()).get(rs.getString(2));
                    if (in != null) in.tags().add(new Tag(rs.getString(3), rs.getString(4)));
                });
            }
        }
        List<Run> out = new ArrayList<>(infos.size());
        for (RunInfo info : infos) {
            List<DatasetInput> ins = new ArrayList<>();
            for (DatasetInput in : inputs.getOrDefault(info.runId(), Map.of()).values()) {
                ins.add(new DatasetInput(in.dataset(), List.copyOf(in.tags())));
            }
            out.add(new Run(info, List.copyOf(metrics.getOrDefault(info.runId(), List.of())),
                    List.copyOf(params.getOrDefault(info.runId(), List.of())),
                    List.copyOf(tags.getOrDefault(info.runId(), List.of())), List.copyOf(ins),
                    List.copyOf(models.getOrDefault(info.runId(), List.of()))));
        }
        return out;
    }

    @FunctionalInterface
    interface RowConsumer {
        void accept(ResultSet rs) throws SQLException;
    }

    static void forEachRow(Connection c, SqlBuilder sql, RowConsumer consumer) throws SQLException {
        try (PreparedStatement ps = sql.prepare(c); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) consumer.accept(rs);
        }
    }

    /** {@code all} in lists of at most 500, for IN clauses (SQLite binds at most 32,766 values per statement). */
    static <T> List<List<T>> chunks(Collection<T> all) {
        List<T> list = List.copyOf(all);
        List<List<T>> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i += IN_CHUNK) out.add(list.subList(i, Math.min(list.size(), i + IN_CHUNK)));
        return out;
    }

    // ================================================================ helpers

    static LifecycleStage stage(String s) {
        return LifecycleStage.valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }

    private static Long parseId(String experimentId) {
        if (!TrackingValidation.isExperimentId(experimentId)) return null;
        return Long.parseLong(experimentId);
    }

    private static long id(String experimentId) {
        Long id = parseId(experimentId);
        if (id == null) throw MlvException.notFound("No Experiment with id=" + experimentId + " exists");
        return id;
    }

    /** {@code root} + "/" + {@code part}, without doubling the slash ({@code mlflow-artifacts:/} + {@code 1}). */
    static String appendPath(String root, String part) {
        return root.endsWith("/") ? root + part : root + "/" + part;
    }

    @Override
    public void close() {
        // The pools belong to the Database, closed by JdbcMetadataStore.
    }
}
