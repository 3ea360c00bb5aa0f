package dev.mlv.store.jdbc;

import dev.mlv.errors.MlvException;
import dev.mlv.tracking.LifecycleStage;
import dev.mlv.tracking.LoggedModel;
import dev.mlv.tracking.LoggedModelQuery;
import dev.mlv.tracking.LoggedModelStatus;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.ModelMetric;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingValidation;
import dev.mlv.tracking.search.Clause;
import dev.mlv.tracking.search.OrderBy;
import dev.mlv.tracking.search.PageToken;
import dev.mlv.tracking.search.SearchFilter;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * MLflow 3's logged models on the tracking database: the part of {@link JdbcTrackingStore} that creates, reads,
 * finalizes, tags and searches them. Each public method is one transaction.
 */
final class JdbcLoggedModels {
    static final String COLUMNS = "m.model_id, m.experiment_id, m.name, m.artifact_location, m.creation_timestamp_ms, "
            + "m.last_updated_timestamp_ms, m.status, m.model_type, m.source_run_id, m.lifecycle_stage";
    private static final String BAD_NAME_CHARACTERS = "/:.%\"'";
    private static final int MAX_NAME_LENGTH = 500;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;

    JdbcLoggedModels(Database db) {
        this.db = db;
    }

    LoggedModel create(String experimentId, String name, String modelType, String sourceRunId, List<Param> params,
                       List<Tag> tags) {
        String modelName = name == null || name.isEmpty() ? RunNames.generate(RANDOM) : name;
        validateName(modelName);
        if (modelType != null && modelType.length() > MAX_NAME_LENGTH) {
            throw MlvException.invalid("model_type is longer than " + MAX_NAME_LENGTH + " characters");
        }
        List<Param> ps = params == null ? List.of() : params;
        List<Tag> ts = tags == null ? List.of() : tags;
        ps.forEach(TrackingValidation::param);
        ts.forEach(TrackingValidation::runTag);
        String modelId = "m-" + UUID.randomUUID().toString().replace("-", "");
        return db.write(c -> {
            String location = JdbcTrackingStore.requireActiveExperiment(c, experimentId).artifactLocation();
            String run = sourceRunId == null || sourceRunId.isEmpty() ? null : sourceRunId;
            if (run != null) JdbcTrackingStore.requireRun(c, run);
            long now = System.currentTimeMillis();
            String artifacts = JdbcTrackingStore.appendPath(JdbcTrackingStore.appendPath(
                    JdbcTrackingStore.appendPath(location, "models"), modelId), "artifacts");
            Jdbc.update(c, "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, "
                            + "creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, "
                            + "source_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    modelId, Long.parseLong(experimentId), modelName, artifacts, now, now,
                    LoggedModelStatus.PENDING.number(), LifecycleStage.ACTIVE.wire(), modelType, run);
            insertParams(c, modelId, ps);
            upsertTags(c, modelId, ts);
            return load(c, List.of(require(c, modelId, false))).get(0);
        });
    }

    LoggedModel get(String modelId, boolean allowDeleted) {
        return db.read(c -> load(c, List.of(require(c, modelId, allowDeleted))).get(0));
    }

    LoggedModel finalizeModel(String modelId, LoggedModelStatus status) {
        if (status == null) throw MlvException.invalid("Missing value for required parameter 'status'");
        return db.write(c -> {
            require(c, modelId, true);
            Jdbc.update(c, "UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?",
                    status.number(), System.currentTimeMillis(), modelId);
            return load(c, List.of(require(c, modelId, true))).get(0);
        });
    }

    void delete(String modelId) {
        db.write(c -> {
            require(c, modelId, true);
            return Jdbc.update(c, "UPDATE logged_models SET lifecycle_stage = ?, last_updated_timestamp_ms = ? "
                    + "WHERE model_id = ?", LifecycleStage.DELETED.wire(), System.currentTimeMillis(), modelId);
        });
    }

    void setTags(String modelId, List<Tag> tags) {
        List<Tag> ts = tags == null ? List.of() : tags;
        ts.forEach(TrackingValidation::runTag);
        db.write(c -> {
            require(c, modelId, true);
            upsertTags(c, modelId, ts);
            return null;
        });
    }

    void deleteTag(String modelId, String key) {
        db.write(c -> {
            require(c, modelId, true);
            if (Jdbc.update(c, "DELETE FROM logged_model_tags WHERE model_id = ? AND key = ?", modelId, key) == 0) {
                throw MlvException.notFound("No tag with key '" + key + "' found for model with ID '" + modelId + "'.");
            }
            return null;
        });
    }

    void logParams(String modelId, List<Param> params) {
        List<Param> ps = params == null ? List.of() : params;
        ps.forEach(TrackingValidation::param);
        db.write(c -> {
            require(c, modelId, true);
            insertParams(c, modelId, ps);
            return null;
        });
    }

    /** Inserts model metric points inside the caller's transaction (identical points are stored once). */
    static void insertMetrics(Connection c, String runId, List<ModelMetric> metrics) throws SQLException {
        for (ModelMetric mm : metrics) {
            require(c, mm.modelId(), true);
            Metric m = mm.metric();
            boolean nan = Double.isNaN(m.value());
            Jdbc.update(c, "INSERT INTO logged_model_metrics (model_id, key, value, timestamp, step, is_nan, run_uuid, "
                            + "dataset_name, dataset_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    mm.modelId(), m.key(), nan ? 0.0 : m.value(), m.timestamp(), m.step(), nan ? 1 : 0, runId,
                    orEmpty(mm.datasetName()), orEmpty(mm.datasetDigest()));
        }
    }

    Page<LoggedModel> search(LoggedModelQuery q) {
        int limit = q.maxResults() <= 0 ? LoggedModelQuery.DEFAULT_MAX_RESULTS : q.maxResults();
        List<Long> experimentIds = new ArrayList<>();
        for (String id : q.experimentIds() == null ? List.<String>of() : q.experimentIds()) {
            if (!TrackingValidation.isExperimentId(id)) throw MlvException.invalid("Invalid experiment id '" + id + "'");
            experimentIds.add(Long.parseLong(id));
        }
        List<Clause> clauses = SearchFilter.parseLoggedModelFilter(q.filter());
        List<LoggedModelQuery.DatasetKey> datasets = q.datasets() == null ? List.of() : q.datasets();
        for (LoggedModelQuery.DatasetKey d : datasets) {
            if (d == null || d.name() == null || d.name().isEmpty()) {
                throw MlvException.invalid("`dataset_name` in the `datasets` clause must be specified.");
            }
        }
        List<LoggedModelQuery.Order> orders = q.orderBy() == null ? List.of() : q.orderBy();
        List<OrderBy> keys = new ArrayList<>();
        for (LoggedModelQuery.Order o : orders) {
            OrderBy k = SearchFilter.parseLoggedModelOrderKey(o.fieldName());
            keys.add(new OrderBy(k.type(), k.key(), o.ascending()));
        }
        String fp = PageToken.fingerprint("logged-models", experimentIds, q.filter(), datasets, orders);
        long offset = PageToken.decode(q.pageToken(), fp);
        if (experimentIds.isEmpty()) return new Page<>(List.of(), null);
        return db.read(c -> {
            SqlBuilder sql = SearchSql.loggedModelPage(db.dialect(), experimentIds, clauses, datasets, keys, orders,
                    limit + 1, offset);
            List<LoggedModel> rows = load(c, Jdbc.query(c, sql, JdbcLoggedModels::row));
            if (rows.size() > limit) return new Page<>(List.copyOf(rows.subList(0, limit)), PageToken.encode(offset + limit, fp));
            return new Page<>(rows, null);
        });
    }

    // ---------------------------------------------------------------- helpers

    private static void validateName(String name) {
        if (name.length() > MAX_NAME_LENGTH) {
            throw MlvException.invalid("Logged model name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (char ch : name.toCharArray()) {
            if (BAD_NAME_CHARACTERS.indexOf(ch) >= 0 || Character.isISOControl(ch)) {
                throw MlvException.invalid("Invalid model name ('" + name + "') provided. Model name cannot contain "
                        + "the characters / : . % \" ' or control characters.");
            }
        }
    }

    private static LoggedModel require(Connection c, String modelId, boolean allowDeleted) throws SQLException {
        if (modelId == null || modelId.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'model_id'");
        Optional<LoggedModel> m = Jdbc.queryOne(c, "SELECT " + COLUMNS + " FROM logged_models m WHERE m.model_id = ?",
                List.of(modelId), JdbcLoggedModels::row);
        if (m.isEmpty() || !allowDeleted && m.get().lifecycleStage() == LifecycleStage.DELETED) {
            throw MlvException.notFound("Logged model with ID '" + modelId + "' not found.");
        }
        return m.get();
    }

    static LoggedModel row(ResultSet rs) throws SQLException {
        return new LoggedModel(rs.getString(1), Long.toString(rs.getLong(2)), rs.getString(3), rs.getLong(5),
                rs.getLong(6), rs.getString(4), LoggedModelStatus.of(rs.getInt(7)), rs.getString(8),
                rs.getString(9), JdbcTrackingStore.stage(rs.getString(10)),
                List.of(), List.of(), List.of());
    }

    /** The models with their tags, params and metric points: three IN queries per 500 models, never one per model. */
    private static List<LoggedModel> load(Connection c, List<LoggedModel> models) throws SQLException {
        if (models.isEmpty()) return List.of();
        Map<String, List<Tag>> tags = new HashMap<>();
        Map<String, List<Param>> params = new HashMap<>();
        Map<String, List<ModelMetric>> metrics = new HashMap<>();
        for (List<String> ids : JdbcTrackingStore.chunks(models.stream().map(LoggedModel::modelId).toList())) {
            JdbcTrackingStore.forEachRow(c, new SqlBuilder().sql("SELECT model_id, key, value FROM logged_model_tags WHERE model_id IN ")
                    .in(ids).sql(" ORDER BY model_id, key"), rs -> tags.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Tag(rs.getString(2), rs.getString(3))));
            JdbcTrackingStore.forEachRow(c, new SqlBuilder().sql("SELECT model_id, key, value FROM logged_model_params WHERE model_id IN ")
                    .in(ids).sql(" ORDER BY model_id, key"), rs -> params.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new Param(rs.getString(2), rs.getString(3))));
            JdbcTrackingStore.forEachRow(c, new SqlBuilder().sql("SELECT model_id, key, value, timestamp, step, is_nan, run_uuid, "
                    + "dataset_name, dataset_digest FROM logged_model_metrics WHERE model_id IN ").in(ids)
                    .sql(" ORDER BY model_id, key, step, timestamp"), rs -> metrics.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                    .add(new ModelMetric(rs.getString(1), new Metric(rs.getString(2), rs.getInt(6) == 1 ? Double.NaN : rs.getDouble(3),
                            rs.getLong(4), rs.getLong(5)), rs.getString(7), emptyToNull(rs.getString(8)), emptyToNull(rs.getString(9)))));
        }
        List<LoggedModel> out = new ArrayList<>(models.size());
        for (LoggedModel m : models) {
            out.add(new LoggedModel(m.modelId(), m.experimentId(), m.name(), m.creationTimestampMs(),
                    m.lastUpdatedTimestampMs(), m.artifactLocation(), m.status(), m.modelType(), m.sourceRunId(),
                    m.lifecycleStage(), List.copyOf(tags.getOrDefault(m.modelId(), List.of())),
                    List.copyOf(params.getOrDefault(m.modelId(), List.of())),
                    List.copyOf(metrics.getOrDefault(m.modelId(), List.of()))));
        }
        return out;
    }

    /** Write-once params, as a run's; the same key twice in one call must have one value. */
    private static void insertParams(Connection c, String modelId, List<Param> params) throws SQLException {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (Param p : params) {
            String prev = wanted.putIfAbsent(p.key(), p.value());
            if (prev != null && !prev.equals(p.value())) {
                throw MlvException.invalid("Duplicate parameter '" + p.key() + "' with different values in one request");
            }
        }
        JdbcTrackingStore.insertWriteOnce(c, "logged_model_params", "model_id", modelId, "model with ID '" + modelId + "'",
                wanted.entrySet().stream().map(e -> new Param(e.getKey(), e.getValue())).toList());
    }

    private static void upsertTags(Connection c, String modelId, List<Tag> tags) throws SQLException {
        for (Tag t : tags) {
            Jdbc.update(c, "INSERT INTO logged_model_tags (model_id, key, value) VALUES (?, ?, ?) "
                    + "ON CONFLICT (model_id, key) DO UPDATE SET value = excluded.value", modelId, t.key(), t.value());
        }
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
