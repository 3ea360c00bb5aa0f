package dev.mlv.store.jdbc;

import dev.mlv.errors.MlvException;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.LifecycleStage;
import dev.mlv.tracking.LoggedModelQuery;
import dev.mlv.tracking.LoggedModelStatus;
import dev.mlv.tracking.ViewType;
import dev.mlv.tracking.search.Clause;
import dev.mlv.tracking.search.Comparator;
import dev.mlv.tracking.search.EntityType;
import dev.mlv.tracking.search.OrderBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates parsed search clauses and order_by keys into parameterized SQL. Metric, param and tag clauses become
 * inner joins on the (run, key) primary keys with the comparison on the indexed value column, so the database can
 * start from whichever clause is most selective; dataset clauses become {@code EXISTS}; order_by keys on metrics,
 * params and tags become left joins whose missing values sort last, as MLflow does.
 */
final class SearchSql {
    static final String RUN_COLUMNS = "r.run_uuid, r.experiment_id, r.name, r.user_id, r.status, r.start_time, "
            + "r.end_time, r.artifact_uri, r.lifecycle_stage";
    private static final Map<String, String> RUN_ATTRIBUTE_COLUMNS = Map.of(
            "run_id", "r.run_uuid", "run_name", "r.name", "status", "r.status", "user_id", "r.user_id",
            "artifact_uri", "r.artifact_uri", "lifecycle_stage", "r.lifecycle_stage", "start_time", "r.start_time",
            "end_time", "r.end_time");
    private static final Map<String, String> EXPERIMENT_ATTRIBUTE_COLUMNS = Map.of(
            "name", "e.name", "creation_time", "e.creation_time", "last_update_time", "e.last_update_time",
            "experiment_id", "e.experiment_id");

    private SearchSql() {
    }

    /** The query of one page of runs: ids and attributes, in order. */
    static SqlBuilder runPage(Dialect dialect, List<Long> experimentIds, ViewType viewType, List<Clause> clauses,
                              List<OrderBy> orderBy, int limit, long offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + RUN_COLUMNS + " FROM runs r");
        int alias = 0;
        List<Clause> where = new ArrayList<>();
        for (Clause c : clauses) {
            switch (c.type()) {
                case METRIC -> {
                    String a = "f" + alias++;
                    b.sql(" JOIN latest_metrics " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ?", c.key());
                    if (c.comparator() == Comparator.NE) {
                        b.sql(" AND (" + a + ".is_nan = 1 OR " + a + ".value <> ?)", c.number());
                    } else {
                        b.sql(" AND " + a + ".is_nan = 0 AND " + a + ".value " + c.comparator().symbol() + " ?", c.number());
                    }
                }
                case PARAM, TAG -> {
                    String a = "f" + alias++;
                    String table = c.type() == EntityType.PARAM ? "params" : "tags";
                    b.sql(" JOIN " + table + " " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ?", c.key());
                    b.sql(" AND ");
                    stringComparison(dialect, b, a + ".value", c);
                }
                default -> where.add(c);
            }
        }
        List<String> orderTerms = new ArrayList<>();
        boolean hasStartTime = false;
        for (OrderBy o : orderBy) {
            String dir = o.ascending() ? " ASC" : " DESC";
            switch (o.type()) {
                case METRIC -> {
                    String a = "o" + alias++;
                    b.sql(" LEFT JOIN latest_metrics " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ?", o.key());
                    orderTerms.add("CASE WHEN " + a + ".run_uuid IS NULL THEN 2 WHEN " + a + ".is_nan = 1 THEN 1 ELSE 0 END");
                    orderTerms.add(a + ".value" + dir);
                }
                case PARAM, TAG -> {
                    String a = "o" + alias++;
                    String table = o.type() == EntityType.PARAM ? "params" : "tags";
                    b.sql(" LEFT JOIN " + table + " " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ?", o.key());
                    orderTerms.add("CASE WHEN " + a + ".run_uuid IS NULL THEN 1 ELSE 0 END");
                    orderTerms.add(a + ".value" + dir);
                }
                case ATTRIBUTE -> {
                    String col = RUN_ATTRIBUTE_COLUMNS.get(o.key());
                    if (o.key().equals("start_time")) hasStartTime = true;
                    if (o.key().equals("end_time") || o.key().equals("run_name") || o.key().equals("user_id")
                            || o.key().equals("artifact_uri")) {
                        orderTerms.add("CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END");
                    }
                    orderTerms.add(col + dir);
                }
                default -> throw new IllegalArgumentException("Cannot order by " + o);
            }
        }
        if (!hasStartTime) orderTerms.add("r.start_time DESC");
        orderTerms.add("r.run_uuid ASC");

        b.sql(" WHERE r.experiment_id IN ").in(experimentIds);
        lifecycle(b, "r.lifecycle_stage", viewType);
        for (Clause c : where) {
            b.sql(" AND ");
            if (c.type() == EntityType.ATTRIBUTE) {
                attribute(dialect, b, RUN_ATTRIBUTE_COLUMNS.get(c.key()), c);
            } else {
                dataset(dialect, b, c);
            }
        }
        b.sql(" ORDER BY " + String.join(", ", orderTerms));
        b.sql(" LIMIT ?", limit).sql(" OFFSET ?", offset);
        return b;
    }

    /** The query of one page of experiments. */
    static SqlBuilder experimentPage(Dialect dialect, ViewType viewType, List<Clause> clauses, List<OrderBy> orderBy,
                                     int limit, long offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT e.experiment_id, e.name, e.artifact_location, e.lifecycle_stage, "
                + "e.creation_time, e.last_update_time FROM experiments e WHERE 1 = 1");
        lifecycle(b, "e.lifecycle_stage", viewType);
        for (Clause c : clauses) {
            b.sql(" AND ");
            if (c.type() == EntityType.TAG) {
                b.sql("EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ?", c.key());
                b.sql(" AND ");
                stringComparison(dialect, b, "t.value", c);
                b.sql(")");
            } else {
                attribute(dialect, b, EXPERIMENT_ATTRIBUTE_COLUMNS.get(c.key()), c);
            }
        }
        List<String> terms = new ArrayList<>();
        boolean hasId = false;
        for (OrderBy o : orderBy) {
            if (o.key().equals("experiment_id")) hasId = true;
            terms.add(EXPERIMENT_ATTRIBUTE_COLUMNS.get(o.key()) + (o.ascending() ? " ASC" : " DESC"));
        }
        if (orderBy.isEmpty()) terms.add("e.creation_time DESC");
        if (!hasId) terms.add("e.experiment_id ASC");
        b.sql(" ORDER BY " + String.join(", ", terms));
        b.sql(" LIMIT ?", limit).sql(" OFFSET ?", offset);
        return b;
    }

    private static final Map<String, String> LOGGED_MODEL_ATTRIBUTE_COLUMNS = Map.of(
            "model_id", "m.model_id", "name", "m.name", "model_type", "m.model_type", "status", "m.status",
            "source_run_id", "m.source_run_id", "creation_timestamp_ms", "m.creation_timestamp_ms",
            "last_updated_timestamp_ms", "m.last_updated_timestamp_ms");

    /**
     * The query of one page of logged models. A metric clause matches when any point of the model's metric does (on
     * one of {@code datasets} when given); given datasets without a metric clause keep the models with some metric on
     * them. A metric order key sorts by the model's latest point (by timestamp, then step) on the order's dataset;
     * missing values sort last; newest first breaks ties.
     */
    static SqlBuilder loggedModelPage(Dialect dialect, List<Long> experimentIds, List<Clause> clauses,
                                      List<LoggedModelQuery.DatasetKey> datasets, List<OrderBy> keys,
                                      List<LoggedModelQuery.Order> orders, int limit, long offset) {
        SqlBuilder b = new SqlBuilder().sql("SELECT " + JdbcLoggedModels.COLUMNS + " FROM logged_models m WHERE m.experiment_id IN ")
                .in(experimentIds).sql(" AND m.lifecycle_stage = ?", LifecycleStage.ACTIVE.wire());
        boolean metricClause = false;
        for (Clause c : clauses) {
            b.sql(" AND ");
            switch (c.type()) {
                case METRIC -> {
                    metricClause = true;
                    b.sql("EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.key = ?", c.key());
                    if (c.comparator() == Comparator.NE) {
                        b.sql(" AND (mm.is_nan = 1 OR mm.value <> ?)", c.number());
                    } else {
                        b.sql(" AND mm.is_nan = 0 AND mm.value " + c.comparator().symbol() + " ?", c.number());
                    }
                    onDatasets(b, datasets);
                    b.sql(")");
                }
                case PARAM, TAG -> {
                    String table = c.type() == EntityType.PARAM ? "logged_model_params" : "logged_model_tags";
                    b.sql("EXISTS (SELECT 1 FROM " + table + " x WHERE x.model_id = m.model_id AND x.key = ? AND ", c.key());
                    stringComparison(dialect, b, "x.value", c);
                    b.sql(")");
                }
                default -> {
                    if (c.key().equals("status")) {
                        statusComparison(b, c);
                    } else {
                        attribute(dialect, b, LOGGED_MODEL_ATTRIBUTE_COLUMNS.get(c.key()), c);
                    }
                }
            }
        }
        if (!metricClause && !datasets.isEmpty()) {
            b.sql(" AND EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_id = m.model_id");
            onDatasets(b, datasets);
            b.sql(")");
        }
        b.sql(" ORDER BY ");
        boolean hasCreation = false;
        for (int i = 0; i < keys.size(); i++) {
            OrderBy k = keys.get(i);
            String dir = k.ascending() ? " ASC" : " DESC";
            if (k.type() == EntityType.METRIC) {
                LoggedModelQuery.Order o = orders.get(i);
                List<LoggedModelQuery.DatasetKey> on = o.datasetName() == null || o.datasetName().isEmpty() ? List.of()
                        : List.of(new LoggedModelQuery.DatasetKey(o.datasetName(), o.datasetDigest()));
                // the latest value, twice: once to sort missing values last, once for the order itself
                b.sql("CASE WHEN ");
                latestModelMetric(b, k.key(), on);
                b.sql(" IS NULL THEN 1 ELSE 0 END, ");
                latestModelMetric(b, k.key(), on);
                b.sql(dir + ", ");
            } else {
                String col = LOGGED_MODEL_ATTRIBUTE_COLUMNS.get(k.key());
                if (k.key().equals("creation_timestamp_ms")) hasCreation = true;
                b.sql("CASE WHEN " + col + " IS NULL THEN 1 ELSE 0 END, " + col + dir + ", ");
            }
        }
        if (!hasCreation) b.sql("m.creation_timestamp_ms DESC, ");
        b.sql("m.model_id ASC");
        b.sql(" LIMIT ?", limit).sql(" OFFSET ?", offset);
        return b;
    }

    /** The model's latest point of metric {@code key} (by timestamp, then step) on {@code datasets}, as a scalar subquery. */
    private static void latestModelMetric(SqlBuilder b, String key, List<LoggedModelQuery.DatasetKey> datasets) {
        b.sql("(SELECT mm.value FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.key = ?", key);
        onDatasets(b, datasets);
        b.sql(" ORDER BY mm.timestamp DESC, mm.step DESC LIMIT 1)");
    }

    /** Restricts the metric rows {@code mm} to the given datasets (by name, and by digest when given); none: no restriction. */
    private static void onDatasets(SqlBuilder b, List<LoggedModelQuery.DatasetKey> datasets) {
        if (datasets.isEmpty()) return;
        b.sql(" AND (");
        for (int i = 0; i < datasets.size(); i++) {
            LoggedModelQuery.DatasetKey d = datasets.get(i);
            if (i > 0) b.sql(" OR ");
            b.sql("(mm.dataset_name = ?", d.name());
            if (d.digest() != null && !d.digest().isEmpty()) b.sql(" AND mm.dataset_digest = ?", d.digest());
            b.sql(")");
        }
        b.sql(")");
    }

    /** {@code status} compares by name ({@code LOGGED_MODEL_READY} or {@code READY}); the column holds the enum number. */
    private static void statusComparison(SqlBuilder b, Clause c) {
        switch (c.comparator()) {
            case EQ -> b.sql("m.status = ?", LoggedModelStatus.parse(c.text()).number());
            case NE -> b.sql("m.status <> ?", LoggedModelStatus.parse(c.text()).number());
            case IN, NOT_IN -> b.sql(c.comparator() == Comparator.IN ? "m.status IN " : "m.status NOT IN ")
                    .in(c.list().stream().map(v -> LoggedModelStatus.parse(v).number()).toList());
            default -> throw MlvException.invalid("Invalid comparator '" + c.comparator().symbol()
                    + "' for attribute 'status': expected one of =, !=, IN, NOT IN");
        }
    }

    private static void lifecycle(SqlBuilder b, String column, ViewType viewType) {
        switch (viewType) {
            case ACTIVE_ONLY -> b.sql(" AND " + column + " = ?", LifecycleStage.ACTIVE.wire());
            case DELETED_ONLY -> b.sql(" AND " + column + " = ?", LifecycleStage.DELETED.wire());
            case ALL -> { }
        }
    }

    private static void attribute(Dialect dialect, SqlBuilder b, String column, Clause c) {
        if (c.value() instanceof dev.mlv.tracking.search.Value.Number) {
            // Integral attributes (times) compare with the number as given; end_time NULL never matches.
            b.sql(column + " " + sqlSymbol(c.comparator()) + " ?", c.number());
        } else {
            stringComparison(dialect, b, column, c);
        }
    }

    private static void dataset(Dialect dialect, SqlBuilder b, Clause c) {
        if (c.key().equals("context")) {
            b.sql("EXISTS (SELECT 1 FROM run_input_tags it WHERE it.run_uuid = r.run_uuid AND it.key = ?",
                    DatasetInput.CONTEXT_TAG);
            b.sql(" AND ");
            stringComparison(dialect, b, "it.value", c);
        } else {
            b.sql("EXISTS (SELECT 1 FROM run_inputs ri JOIN datasets d ON d.dataset_uuid = ri.dataset_uuid"
                    + " WHERE ri.run_uuid = r.run_uuid AND ");
            stringComparison(dialect, b, "d." + c.key(), c);
        }
        b.sql(")");
    }

    private static void stringComparison(Dialect dialect, SqlBuilder b, String column, Clause c) {
        switch (c.comparator()) {
            case EQ -> dialect.appendTextEquals(b, column, c.text());
            case NE -> b.sql(column + " <> ?", c.text());
            case LIKE -> b.sql(column + " LIKE ? ESCAPE '\\'", c.text());
            case ILIKE -> b.sql("LOWER(" + column + ") LIKE LOWER(?) ESCAPE '\\'", c.text());
            case IN -> b.sql(column + " IN ").in(c.list());
            case NOT_IN -> b.sql(column + " NOT IN ").in(c.list());
            default -> throw new IllegalArgumentException("Not a string comparator: " + c.comparator());
        }
    }

    private static String sqlSymbol(Comparator c) {
        return c == Comparator.NE ? "<>" : c.symbol();
    }
}
