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
import dev.mlv.tracking.TrackingValidation;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.tracking.ViewType;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one contract suite of the {@link TrackingStore} SPI. A backend's test is a subclass that opens a fresh, empty
 * store in {@link #openStore()}; the store is shared by the tests of the class, which keep apart by creating their own
 * experiments with unique names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TrackingStoreContractTest {
    private static final AtomicInteger SEQ = new AtomicInteger();
    protected TrackingStore store;
    private AutoCloseable resource;

    /** A new, empty store; called once per test class. The returned closeable is closed after the class. */
    protected abstract Opened openStore() throws Exception;

    /** The store under test and what to close when the class is done (e.g. the MetadataStore owning it). */
    protected record Opened(TrackingStore store, AutoCloseable closeable) {
    }

    @BeforeAll
    void openTheStore() throws Exception {
        Opened o = openStore();
        store = o.store();
        resource = o.closeable();
    }

    @AfterAll
    void closeTheStore() throws Exception {
        if (resource != null) resource.close();
    }

    // ------------------------------------------------------------------ helpers

    private static String unique(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime();
    }

    private String newExperiment() {
        return store.createExperiment(unique("exp"), null, List.of());
    }

    private Run newRun(String experimentId) {
        return store.createRun(experimentId, "alice", System.currentTimeMillis(), null, List.of());
    }

    private static void assertError(ErrorCode code, String messagePart, ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(MlvException.class)
                .satisfies(e -> assertThat(((MlvException) e).code()).isEqualTo(code))
                .hasMessageContaining(messagePart);
    }

    private List<Run> search(String experimentId, String filter, String... orderBy) {
        return store.searchRuns(new RunQuery(List.of(experimentId), filter, List.of(orderBy), 1000, null, ViewType.ACTIVE_ONLY)).items();
    }

    private static List<String> ids(List<Run> runs) {
        return runs.stream().map(r -> r.info().runId()).toList();
    }

    private static Map<String, Double> metrics(Run r) {
        return r.latestMetrics().stream().collect(Collectors.toMap(Metric::key, Metric::value));
    }

    // ------------------------------------------------------------------ experiments

    @Test
    void defaultExperimentExistsFromTheStart() {
        Experiment e = store.getExperiment("0");
        assertThat(e.name()).isEqualTo("Default");
        assertThat(e.lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
        assertThat(store.getExperimentByName("Default")).map(Experiment::experimentId).contains("0");
    }

    @Test
    void experimentLifecycle() {
        String name = unique("life");
        String id = store.createExperiment(name, null, List.of(new Tag("team", "a")));
        Experiment e = store.getExperiment(id);
        assertThat(e.name()).isEqualTo(name);
        assertThat(e.artifactLocation()).endsWith("/" + id);
        assertThat(e.tags()).containsExactly(new Tag("team", "a"));
        assertThat(e.creationTime()).isPositive();

        assertError(ErrorCode.RESOURCE_ALREADY_EXISTS, "already exists", () -> store.createExperiment(name, null, List.of()));
        String other = store.createExperiment(unique("other"), "s3://bucket/x", List.of());
        assertThat(store.getExperiment(other).artifactLocation()).isEqualTo("s3://bucket/x");
        assertError(ErrorCode.RESOURCE_ALREADY_EXISTS, "already exists", () -> store.renameExperiment(other, name));

        String renamed = unique("renamed");
        store.renameExperiment(id, renamed);
        assertThat(store.getExperiment(id).name()).isEqualTo(renamed);
        assertThat(store.getExperimentByName(name)).isEmpty();

        Run run = newRun(id);
        store.deleteExperiment(id);
        assertThat(store.getExperiment(id).lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
        assertThat(store.getRun(run.info().runId()).info().lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state", () -> newRun(id));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "non-active", () -> store.renameExperiment(id, unique("x")));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.setExperimentTag(id, new Tag("k", "v")));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.logBatch(run.info().runId(), List.of(new Metric("m", 1, 1, 0)), List.of(), List.of()));

        store.restoreExperiment(id);
        assertThat(store.getExperiment(id).lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
        assertThat(store.getRun(run.info().runId()).info().lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);

        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment with id=987654", () -> store.getExperiment("987654"));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment", () -> store.getExperiment("abc"));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment", () -> store.deleteExperiment("987654"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "non-empty", () -> store.createExperiment("", null, List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "500", () -> store.createExperiment("n".repeat(501), null, List.of()));
    }

    @Test
    void experimentTags() {
        String id = newExperiment();
        store.setExperimentTag(id, new Tag("a", "1"));
        store.setExperimentTag(id, new Tag("a", "2"));
        store.setExperimentTag(id, new Tag("b", "x".repeat(10_000)));
        assertThat(store.getExperiment(id).tags()).extracting(Tag::key).containsExactly("a", "b");
        assertThat(store.getExperiment(id).tags().get(0).value()).isEqualTo("2");
        store.deleteExperimentTag(id, "a");
        assertThat(store.getExperiment(id).tags()).extracting(Tag::key).containsExactly("b");
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No tag with name: a", () -> store.deleteExperimentTag(id, "a"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid tag name", () -> store.setExperimentTag(id, new Tag("a$", "1")));
    }

    @Test
    void searchExperiments() {
        String prefix = unique("srch");
        String a = store.createExperiment(prefix + "-alpha", null, List.of(new Tag("team", "red")));
        String b = store.createExperiment(prefix + "-beta", null, List.of(new Tag("team", "blue")));
        String c = store.createExperiment(prefix + "-gamma", null, List.of());
        store.deleteExperiment(c);

        List<String> found = store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "%'", List.of("name ASC"),
                100, null, ViewType.ACTIVE_ONLY)).items().stream().map(Experiment::experimentId).toList();
        assertThat(found).containsExactly(a, b);
        assertThat(store.searchExperiments(new ExperimentQuery("name ILIKE '" + prefix.toUpperCase() + "-b%'", List.of(),
                100, null, ViewType.ALL)).items()).extracting(Experiment::experimentId).containsExactly(b);
        assertThat(store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "-B%'", List.of(),
                100, null, ViewType.ALL)).items()).isEmpty(); // LIKE is case-sensitive
        assertThat(store.searchExperiments(new ExperimentQuery("tags.team = 'red' and name LIKE '" + prefix + "%'", null,
                100, null, ViewType.ALL)).items()).extracting(Experiment::experimentId).containsExactly(a);
        assertThat(store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "%'", null, 100, null,
                ViewType.DELETED_ONLY)).items()).extracting(Experiment::experimentId).containsExactly(c);
        assertThat(store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "%' and creation_time > 0",
                List.of("experiment_id DESC"), 100, null, ViewType.ALL)).items())
                .extracting(Experiment::experimentId).containsExactly(c, b, a);

        // paging
        Page<Experiment> p1 = store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "%'", List.of("name"), 1,
                null, ViewType.ALL));
        assertThat(p1.items()).hasSize(1);
        Page<Experiment> p2 = store.searchExperiments(new ExperimentQuery("name LIKE '" + prefix + "%'", List.of("name"), 5,
                p1.nextPageToken(), ViewType.ALL));
        assertThat(p2.items()).hasSize(2);
        assertThat(p2.nextPageToken()).isNull();

        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid entity type",
                () -> store.searchExperiments(new ExperimentQuery("metrics.m > 1", null, 10, null, ViewType.ALL)));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "max_results",
                () -> store.searchExperiments(new ExperimentQuery(null, null, 50_001, null, ViewType.ALL)));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "page token",
                () -> store.searchExperiments(new ExperimentQuery(null, null, 10, "garbage!", ViewType.ALL)));
    }

    // ------------------------------------------------------------------ runs

    @Test
    void runLifecycle() {
        String exp = newExperiment();
        Run r = store.createRun(exp, "bob", 1000L, "my-run", List.of(new Tag("t", "v")));
        RunInfo info = r.info();
        assertThat(info.runId()).matches("[0-9a-f]{32}");
        assertThat(info.experimentId()).isEqualTo(exp);
        assertThat(info.runName()).isEqualTo("my-run");
        assertThat(info.userId()).isEqualTo("bob");
        assertThat(info.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(info.startTime()).isEqualTo(1000L);
        assertThat(info.endTime()).isNull();
        assertThat(info.artifactUri()).isEqualTo(store.getExperiment(exp).artifactLocation() + "/" + info.runId() + "/artifacts");
        assertThat(r.tags()).contains(new Tag("t", "v"), new Tag("mlflow.runName", "my-run"));

        Run generated = store.createRun(exp, "bob", 1000L, null, List.of());
        assertThat(generated.info().runName()).isNotBlank();
        Run fromTag = store.createRun(exp, "bob", 1000L, null, List.of(new Tag("mlflow.runName", "tagged")));
        assertThat(fromTag.info().runName()).isEqualTo("tagged");
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "different values",
                () -> store.createRun(exp, "bob", 1L, "a", List.of(new Tag("mlflow.runName", "b"))));

        RunInfo updated = store.updateRun(info.runId(), RunStatus.FINISHED, 2000L, "renamed");
        assertThat(updated.status()).isEqualTo(RunStatus.FINISHED);
        assertThat(updated.endTime()).isEqualTo(2000L);
        assertThat(updated.runName()).isEqualTo("renamed");
        assertThat(store.getRun(info.runId()).tags()).contains(new Tag("mlflow.runName", "renamed"));
        RunInfo unchanged = store.updateRun(info.runId(), null, null, null);
        assertThat(unchanged).isEqualTo(updated);
        store.logBatch(info.runId(), List.of(), List.of(), List.of(new Tag("mlflow.runName", "by-tag")));
        assertThat(store.getRun(info.runId()).info().runName()).isEqualTo("by-tag");

        store.deleteRun(info.runId());
        assertThat(store.getRun(info.runId()).info().lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.logBatch(info.runId(), List.of(), List.of(new Param("p", "1")), List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.updateRun(info.runId(), RunStatus.FAILED, null, null));
        store.restoreRun(info.runId());
        assertThat(store.getRun(info.runId()).info().lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);

        store.deleteTag(info.runId(), "t");
        assertThat(store.getRun(info.runId()).tags()).extracting(Tag::key).doesNotContain("t");
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No tag with name: t", () -> store.deleteTag(info.runId(), "t"));

        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.getRun("0123456789abcdef0123456789abcdef"));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.deleteRun("0123456789abcdef0123456789abcdef"));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment", () -> store.createRun("424242", "u", 1L, null, List.of()));
    }

    @Test
    void paramsAreWriteOnce() {
        String run = newRun(newExperiment()).info().runId();
        store.logBatch(run, List.of(), List.of(new Param("lr", "0.1")), List.of());
        store.logBatch(run, List.of(), List.of(new Param("lr", "0.1")), List.of()); // same value: fine
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Changing param values is not allowed",
                () -> store.logBatch(run, List.of(), List.of(new Param("lr", "0.2")), List.of()));
        assertThat(store.getRun(run).params()).containsExactly(new Param("lr", "0.1"));
        String long6000 = "v".repeat(6000);
        store.logBatch(run, List.of(), List.of(new Param("long", long6000)), List.of());
        assertThat(store.getRun(run).params()).contains(new Param("long", long6000));
    }

    @Test
    void batchLimitsAndAtomicity() {
        String run = newRun(newExperiment()).info().runId();
        store.logBatch(run, List.of(), List.of(new Param("p", "1")), List.of());
        // A bad batch writes nothing: the metrics and tags in it are rolled back with the changed param.
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Changing param values",
                () -> store.logBatch(run, List.of(new Metric("m", 1, 1, 0)), List.of(new Param("q", "1"), new Param("p", "2")),
                        List.of(new Tag("t", "v"))));
        Run r = store.getRun(run);
        assertThat(r.latestMetrics()).isEmpty();
        assertThat(r.params()).containsExactly(new Param("p", "1"));
        assertThat(r.tags()).extracting(Tag::key).containsExactly("mlflow.runName");

        List<Metric> tooMany = new ArrayList<>();
        for (int i = 0; i < 1001; i++) tooMany.add(new Metric("m", i, i, i));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "at most 1000 metrics", () -> store.logBatch(run, tooMany, List.of(), List.of()));
        List<Param> params = new ArrayList<>();
        for (int i = 0; i < 101; i++) params.add(new Param("k" + i, "v"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "at most 100 params", () -> store.logBatch(run, List.of(), params, List.of()));
        List<Tag> tags = new ArrayList<>();
        for (int i = 0; i < 101; i++) tags.add(new Tag("k" + i, "v"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "at most 100 tags", () -> store.logBatch(run, List.of(), List.of(), tags));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "1000 total",
                () -> store.logBatch(run, tooMany.subList(0, 950), params.subList(0, 51), List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Duplicate parameter keys",
                () -> store.logBatch(run, List.of(), List.of(new Param("d", "1"), new Param("d", "1")), List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid metric name",
                () -> store.logBatch(run, List.of(new Metric("bad$", 1, 1, 0)), List.of(), List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must not resolve",
                () -> store.logBatch(run, List.of(new Metric("../up", 1, 1, 0)), List.of(), List.of()));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "5000",
                () -> store.logBatch(run, List.of(), List.of(), List.of(new Tag("t", "x".repeat(5001)))));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "6000",
                () -> store.logBatch(run, List.of(), List.of(new Param("x", "x".repeat(6001))), List.of()));
        assertThat(store.getRun(run).latestMetrics()).isEmpty();

        // The largest legal batch goes in whole.
        store.logBatch(run, tooMany.subList(0, 1000), List.of(), List.of());
        assertThat(store.getMetricHistory(run, "m", 0, null).items()).hasSize(1000);
    }

    @Test
    void metricHistoryAndLatestValue() {
        String run = newRun(newExperiment()).info().runId();
        store.logBatch(run, List.of(new Metric("loss", 3, 100, 2), new Metric("loss", 5, 50, 1), new Metric("loss", 4, 200, 2),
                new Metric("loss", 4, 200, 2) /* identical point: stored once */), List.of(), List.of());
        store.logBatch(run, List.of(new Metric("loss", 9, 999, 1)), List.of(), List.of()); // older step: not latest
        store.logBatch(run, List.of(new Metric("acc", Double.NaN, 1, 0)), List.of(), List.of());
        Map<String, Double> latest = metrics(store.getRun(run));
        assertThat(latest.get("loss")).isEqualTo(4.0); // highest step, then latest timestamp
        assertThat(latest.get("acc")).isNaN();
        store.logBatch(run, List.of(new Metric("loss", 7, 200, 2)), List.of(), List.of()); // same step+ts, bigger value
        assertThat(metrics(store.getRun(run)).get("loss")).isEqualTo(7.0);

        List<Metric> all = store.getMetricHistory(run, "loss", 0, null).items();
        assertThat(all).extracting(Metric::step).containsExactly(1L, 1L, 2L, 2L, 2L);
        assertThat(all).extracting(Metric::value).containsExactly(5.0, 9.0, 3.0, 4.0, 7.0);

        List<Metric> paged = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            Page<Metric> p = store.getMetricHistory(run, "loss", 2, token);
            paged.addAll(p.items());
            token = p.nextPageToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(paged).isEqualTo(all);
        assertThat(store.getMetricHistory(run, "nope", 10, null).items()).isEmpty();
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.getMetricHistory("ffffffffffffffffffffffffffffffff", "m", 10, null));
        String foreign = store.getMetricHistory(run, "loss", 2, null).nextPageToken();
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "page token", () -> store.getMetricHistory(run, "acc", 2, foreign));
    }

    @Test
    void datasetInputsAreStoredOncePerExperimentNameAndDigest() {
        String exp = newExperiment();
        String r1 = newRun(exp).info().runId();
        String r2 = newRun(exp).info().runId();
        Dataset d = new Dataset("train", "abc123", "local", "{\"uri\":\"/data/train.csv\"}", "{\"cols\":[]}", "{\"rows\":3}");
        DatasetInput in = new DatasetInput(d, List.of(new Tag(DatasetInput.CONTEXT_TAG, "training")));
        store.logInputs(r1, List.of(in));
        store.logInputs(r1, List.of(in)); // again: nothing new
        store.logInputs(r2, List.of(in, new DatasetInput(new Dataset("eval", "def", "local", "s", null, null),
                List.of(new Tag(DatasetInput.CONTEXT_TAG, "eval")))));
        Run run1 = store.getRun(r1);
        assertThat(run1.inputs()).hasSize(1);
        assertThat(run1.inputs().get(0).dataset()).isEqualTo(d);
        assertThat(run1.inputs().get(0).tags()).containsExactly(new Tag(DatasetInput.CONTEXT_TAG, "training"));
        assertThat(store.getRun(r2).inputs()).extracting(i -> i.dataset().name()).containsExactly("eval", "train");

        assertThat(ids(search(exp, "datasets.name = 'train'"))).containsExactlyInAnyOrder(r1, r2);
        assertThat(ids(search(exp, "datasets.name = 'eval'"))).containsExactly(r2);
        assertThat(ids(search(exp, "dataset.digest IN ('def', 'zzz')"))).containsExactly(r2);
        assertThat(ids(search(exp, "datasets.context = 'eval'"))).containsExactly(r2);
        assertThat(ids(search(exp, "datasets.name LIKE 'tr%' and datasets.context = 'training'"))).containsExactlyInAnyOrder(r1, r2);
        assertThat(ids(search(exp, "datasets.name NOT IN ('train')"))).containsExactly(r2);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "dataset.digest",
                () -> store.logInputs(r1, List.of(new DatasetInput(new Dataset("n", "", "local", "s", null, null), List.of()))));
    }

    // ------------------------------------------------------------------ search

    /** Three runs with known data for the filter tests. */
    private record Fixture(String exp, String a, String b, String c) {
    }

    private Fixture fixture() {
        String exp = newExperiment();
        String a = store.createRun(exp, "alice", 1000, "run-a", List.of()).info().runId();
        String b = store.createRun(exp, "bob", 2000, "run-b", List.of()).info().runId();
        String c = store.createRun(exp, "carol", 3000, "run-c", List.of()).info().runId();
        store.logBatch(a, List.of(new Metric("acc", 0.9, 1, 0), new Metric("loss", 0.1, 1, 0)),
                List.of(new Param("model", "CNN"), new Param("lr", "0.1"), new Param("opt", "sgd")),
                List.of(new Tag("team", "red"), new Tag("note", "50% off")));
        store.logBatch(b, List.of(new Metric("acc", 0.5, 1, 0), new Metric("loss", 0.5, 1, 0)),
                List.of(new Param("model", "cnn-small"), new Param("lr", "0.01"), new Param("opt", "adam")),
                List.of(new Tag("team", "blue")));
        store.logBatch(c, List.of(new Metric("acc", 0.7, 1, 0)), List.of(new Param("model", "rnn")), List.of());
        store.updateRun(b, RunStatus.FINISHED, 2500L, null);
        store.updateRun(c, RunStatus.FAILED, 3500L, null);
        return new Fixture(exp, a, b, c);
    }

    @Test
    void everyFilterForm() {
        Fixture f = fixture();
        String e = f.exp();
        assertThat(ids(search(e, "metrics.acc > 0.6"))).containsExactlyInAnyOrder(f.a(), f.c());
        assertThat(ids(search(e, "metrics.acc >= 0.7"))).containsExactlyInAnyOrder(f.a(), f.c());
        assertThat(ids(search(e, "metrics.acc < 0.7"))).containsExactly(f.b());
        assertThat(ids(search(e, "metrics.acc <= 0.7"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "metrics.acc = 0.5"))).containsExactly(f.b());
        assertThat(ids(search(e, "metrics.acc != 0.5"))).containsExactlyInAnyOrder(f.a(), f.c());
        assertThat(ids(search(e, "metrics.loss != 0.5"))).containsExactly(f.a()); // c lacks loss: excluded as MLflow does
        assertThat(ids(search(e, "metric.acc > 0.6 and metrics.loss < 0.2"))).containsExactly(f.a());

        assertThat(ids(search(e, "params.model = 'CNN'"))).containsExactly(f.a());
        assertThat(ids(search(e, "params.model != 'CNN'"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "params.model LIKE 'cnn%'"))).containsExactly(f.b()); // LIKE is case-sensitive
        assertThat(ids(search(e, "param.model ILIKE 'cnn%'"))).containsExactlyInAnyOrder(f.a(), f.b());
        assertThat(ids(search(e, "parameters.lr = '0.1' and params.model = 'CNN'"))).containsExactly(f.a());
        assertThat(ids(search(e, "tags.team = 'red'"))).containsExactly(f.a());
        assertThat(ids(search(e, "tags.note LIKE '50\\% %'"))).containsExactly(f.a()); // backslash escapes % in LIKE
        assertThat(ids(search(e, "tags.`team` ILIKE 'B%'"))).containsExactly(f.b());
        assertThat(ids(search(e, "tags.\"mlflow.runName\" = 'run-c'"))).containsExactly(f.c());

        assertThat(ids(search(e, "attributes.run_id = '" + f.a() + "'"))).containsExactly(f.a());
        assertThat(ids(search(e, "attributes.run_id IN ('" + f.a() + "', '" + f.c() + "')"))).containsExactlyInAnyOrder(f.a(), f.c());
        assertThat(ids(search(e, "run_id NOT IN ('" + f.a() + "')"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "attributes.run_name = 'run-b'"))).containsExactly(f.b());
        assertThat(ids(search(e, "run_name LIKE 'run-%' and run_name != 'run-a'"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "attributes.status = 'FAILED'"))).containsExactly(f.c());
        assertThat(ids(search(e, "attr.status != 'RUNNING'"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "attributes.user_id = 'alice'"))).containsExactly(f.a());
        assertThat(ids(search(e, "attributes.artifact_uri LIKE '%" + f.b() + "%'"))).containsExactly(f.b());
        assertThat(ids(search(e, "attributes.start_time >= 2000"))).containsExactlyInAnyOrder(f.b(), f.c());
        assertThat(ids(search(e, "run.created < 2000"))).containsExactly(f.a());
        assertThat(ids(search(e, "attributes.end_time > 3000"))).containsExactly(f.c());
        assertThat(ids(search(e, "attributes.lifecycle_stage = 'active'"))).hasSize(3);
        assertThat(ids(search(e, "params.model = 'nope'"))).isEmpty();
    }

    @Test
    void badFiltersAreInvalidParameterValues() {
        String e = newExperiment();
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid comparator '~' at position 11", () -> search(e, "metrics.m1 ~ 0.5"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "'OR'", () -> search(e, "params.a = 'x' or params.b = 'y'"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "numeric", () -> search(e, "metrics.m = 'x'"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "quoted string", () -> search(e, "params.p = 3"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid attribute key", () -> search(e, "attributes.color = 'x'"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "run_id", () -> search(e, "attributes.status IN ('A')"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "order_by", () -> search(e, null, "metrics.m SIDEWAYS"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "max_results",
                () -> store.searchRuns(new RunQuery(List.of(e), null, List.of(), 50_001, null, ViewType.ALL)));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "page token",
                () -> store.searchRuns(new RunQuery(List.of(e), null, List.of(), 10, "bm9wZQ", ViewType.ALL)));
    }

    @Test
    void orderByOnSeveralKeysWithMissingValuesLast() {
        Fixture f = fixture();
        String e = f.exp();
        assertThat(ids(search(e, null))).containsExactly(f.c(), f.b(), f.a()); // default: start_time DESC
        assertThat(ids(search(e, null, "metrics.acc DESC"))).containsExactly(f.a(), f.c(), f.b());
        assertThat(ids(search(e, null, "metrics.acc ASC"))).containsExactly(f.b(), f.c(), f.a());
        assertThat(ids(search(e, null, "metrics.loss ASC"))).containsExactly(f.a(), f.b(), f.c());
        assertThat(ids(search(e, null, "metrics.loss DESC"))).containsExactly(f.b(), f.a(), f.c()); // missing still last
        assertThat(ids(search(e, null, "params.opt DESC"))).containsExactly(f.a(), f.b(), f.c());
        assertThat(ids(search(e, null, "params.opt ASC"))).containsExactly(f.b(), f.a(), f.c());
        assertThat(ids(search(e, null, "tags.team", "attributes.start_time DESC"))).containsExactly(f.b(), f.a(), f.c());
        assertThat(ids(search(e, null, "attributes.status ASC", "start_time ASC"))).containsExactly(f.c(), f.b(), f.a());
        assertThat(ids(search(e, null, "run_name DESC"))).containsExactly(f.c(), f.b(), f.a());

        String run = f.a();
        store.logBatch(f.b(), List.of(new Metric("acc", Double.NaN, 5, 5)), List.of(), List.of());
        assertThat(ids(search(e, null, "metrics.acc DESC"))).containsExactly(f.a(), f.c(), f.b()); // NaN after numbers
        assertThat(run).isNotNull();
    }

    @Test
    void pagingHasNoDuplicatesOrGaps() {
        String e = newExperiment();
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 23; i++) {
            String id = store.createRun(e, "u", 1000 + (i % 4), null, List.of()).info().runId(); // ties on start_time
            store.logBatch(id, List.of(new Metric("m", i % 5, 1, 0)), List.of(), List.of());
            all.add(id);
        }
        for (List<String> orderBy : List.of(List.<String>of(), List.of("metrics.m DESC"), List.of("metrics.m", "start_time"))) {
            List<String> seen = new ArrayList<>();
            String token = null;
            do {
                Page<Run> p = store.searchRuns(new RunQuery(List.of(e), "metrics.m >= 0", orderBy, 5, token, ViewType.ACTIVE_ONLY));
                assertThat(p.items().size()).isLessThanOrEqualTo(5);
                p.items().forEach(r -> seen.add(r.info().runId()));
                token = p.nextPageToken();
            } while (token != null);
            assertThat(seen).doesNotHaveDuplicates().hasSize(23);
            assertThat(new HashSet<>(seen)).isEqualTo(all);
        }
    }

    @Test
    void viewTypesAndSeveralExperiments() {
        String e1 = newExperiment();
        String e2 = newExperiment();
        String a = newRun(e1).info().runId();
        String b = newRun(e2).info().runId();
        store.deleteRun(b);
        assertThat(ids(store.searchRuns(new RunQuery(List.of(e1, e2), null, null, 10, null, ViewType.ACTIVE_ONLY)).items()))
                .containsExactly(a);
        assertThat(ids(store.searchRuns(new RunQuery(List.of(e1, e2), null, null, 10, null, ViewType.DELETED_ONLY)).items()))
                .containsExactly(b);
        assertThat(ids(store.searchRuns(new RunQuery(List.of(e1, e2), null, null, 10, null, ViewType.ALL)).items()))
                .containsExactlyInAnyOrder(a, b);
        assertThat(store.searchRuns(new RunQuery(List.of(), null, null, 10, null, ViewType.ALL)).items()).isEmpty();
    }

    @Test
    void searchedRunsCarryTheirData() {
        Fixture f = fixture();
        Run a = search(f.exp(), "params.model = 'CNN'").get(0);
        assertThat(metrics(a)).containsEntry("acc", 0.9).containsEntry("loss", 0.1);
        assertThat(a.params()).containsExactly(new Param("lr", "0.1"), new Param("model", "CNN"), new Param("opt", "sgd"));
        assertThat(a.tags()).contains(new Tag("team", "red"), new Tag("mlflow.runName", "run-a"));
        assertThat(a).isEqualTo(store.getRun(f.a()));
    }

    @Test
    void appendToTagListKeepsEveryEntryAcrossConcurrentWriters() throws Exception {
        String run = newRun(newExperiment()).info().runId();
        int threads = 8, each = 10;
        inParallel(threads, thread -> {
            for (int i = 0; i < each; i++) store.appendToTagList(run, "history", "{\"n\": \"" + thread + "-" + i + "\"}");
        });
        String value = store.getRun(run).tags().stream().filter(t -> t.key().equals("history")).findFirst().orElseThrow().value();
        var list = new com.fasterxml.jackson.databind.ObjectMapper().readTree(value);
        assertThat(list.isArray()).isTrue();
        List<String> seen = new ArrayList<>();
        list.forEach(n -> seen.add(n.get("n").asText()));
        assertThat(seen).hasSize(threads * each).doesNotHaveDuplicates();

        store.logBatch(run, List.of(), List.of(), List.of(new Tag("plain", "not a list")));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "does not hold a JSON list", () -> store.appendToTagList(run, "plain", "{}"));
        String big = "\"" + "x".repeat(TrackingValidation.MAX_RUN_TAG_VALUE_LENGTH) + "\"";
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Tag value", () -> store.appendToTagList(run, "history", big));
        assertThat(store.getRun(run).tags()).contains(new Tag("history", value)); // unchanged by the failed append
        store.deleteRun(run);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state", () -> store.appendToTagList(run, "history", "{}"));
    }

    // ------------------------------------------------------------------ concurrency

    /** Runs {@code work(thread)} on {@code threads} threads at once and rethrows the first failure. */
    private static void inParallel(int threads, java.util.function.IntConsumer work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> work.accept(thread)));
            }
            for (Future<?> fu : futures) fu.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentWritersLoseNothing() throws Exception {
        String exp = newExperiment();
        int threads = 16, batches = 10, perBatch = 50;
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 4; i++) runs.add(newRun(exp).info().runId());
        inParallel(threads, thread -> {
            String run = runs.get(thread % runs.size());
            for (int b = 0; b < batches; b++) {
                List<Metric> ms = new ArrayList<>();
                for (int i = 0; i < perBatch; i++) ms.add(new Metric("m", i, thread * 1000L + b, b * perBatch + i));
                store.logBatch(run, ms, List.of(new Param("p" + thread + "_" + b, "v")),
                        List.of(new Tag("t" + thread, Integer.toString(b))));
            }
            store.createRun(exp, "u" + thread, 1L, null, List.of());
        });
        int total = 0;
        for (String run : runs) total += store.getMetricHistory(run, "m", 0, null).items().size();
        assertThat(total).isEqualTo(threads * batches * perBatch);
        int params = 0;
        for (String run : runs) params += store.getRun(run).params().size();
        assertThat(params).isEqualTo(threads * batches);
        assertThat(store.searchRuns(new RunQuery(List.of(exp), null, null, 100, null, ViewType.ALL)).items())
                .hasSize(runs.size() + threads);
    }

    /**
     * Concurrent log-batch calls may be written together (group commit on SQLite): a call rejected by the store (a
     * changed param value, a deleted run) must fail alone, leave nothing behind, and not fail the calls written with it.
     */
    @Test
    void concurrentBatchesThatFailDoNotAffectTheOthers() throws Exception {
        String exp = newExperiment();
        String run = newRun(exp).info().runId();
        String deleted = newRun(exp).info().runId();
        store.deleteRun(deleted);
        store.logBatch(run, List.of(), List.of(new Param("fixed", "1")), List.of());
        int threads = 8, rounds = 30;
        Set<String> expected = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger rejected = new AtomicInteger();
        inParallel(threads, thread -> {
            for (int r = 0; r < rounds; r++) {
                int kind = (thread + r) % 3;
                String key = "k" + thread + "_" + r;
                List<Metric> ms = List.of(new Metric(key, r, 1L, r), new Metric(key, r + 1, 1L, r + 1));
                try {
                    if (kind == 0) store.logBatch(run, ms, List.of(new Param("fixed", "2")), List.of());
                    else if (kind == 1) store.logBatch(deleted, ms, List.of(), List.of());
                    else store.logBatch(run, ms, List.of(new Param("fixed", "1")), List.of(new Tag(key, "v")));
                } catch (MlvException e) {
                    assertThat(kind).as("batch %s of kind %d failed: %s", key, kind, e.getMessage()).isNotEqualTo(2);
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                    rejected.incrementAndGet();
                    continue;
                }
                assertThat(kind).as("batch %s should have been rejected", key).isEqualTo(2);
                expected.add(key);
            }
        });
        Run stored = store.getRun(run);
        assertThat(stored.latestMetrics()).extracting(Metric::key).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(stored.latestMetrics()).allSatisfy(m -> assertThat(m.step()).isEqualTo((long) m.value()));
        assertThat(stored.params()).containsExactly(new Param("fixed", "1"));
        assertThat(stored.tags()).extracting(Tag::key).containsAll(expected);
        assertThat(store.getRun(deleted).latestMetrics()).isEmpty();
        assertThat(rejected.get() + expected.size()).isEqualTo(threads * rounds);
    }

    // ------------------------------------------------------------------ logged models (MLflow 3)

    @Test
    void loggedModelLifecycle() {
        String exp = newExperiment();
        Run run = newRun(exp);
        LoggedModel m = store.createLoggedModel(exp, "clf", "classifier", run.info().runId(),
                List.of(new Param("lr", "0.1")), List.of(new Tag("team", "fraud")));
        assertThat(m.modelId()).matches("m-[0-9a-f]{32}");
        assertThat(m.artifactLocation()).isEqualTo(store.getExperiment(exp).artifactLocation() + "/models/" + m.modelId() + "/artifacts");
        assertThat(m.status()).isEqualTo(LoggedModelStatus.PENDING);
        assertThat(m.lifecycleStage()).isEqualTo(LifecycleStage.ACTIVE);
        assertThat(m.sourceRunId()).isEqualTo(run.info().runId());
        assertThat(m.params()).containsExactly(new Param("lr", "0.1"));
        assertThat(m.tags()).containsExactly(new Tag("team", "fraud"));
        assertThat(store.createLoggedModel(exp, null, null, null, null, null).name()).isNotBlank();

        LoggedModel ready = store.finalizeLoggedModel(m.modelId(), LoggedModelStatus.READY);
        assertThat(ready.status()).isEqualTo(LoggedModelStatus.READY);
        assertThat(ready.lastUpdatedTimestampMs()).isGreaterThanOrEqualTo(m.creationTimestampMs());

        store.setLoggedModelTags(m.modelId(), List.of(new Tag("team", "risk"), new Tag("stage", "dev")));
        store.deleteLoggedModelTag(m.modelId(), "stage");
        store.logLoggedModelParams(m.modelId(), List.of(new Param("lr", "0.1"), new Param("epochs", "10")));
        LoggedModel got = store.getLoggedModel(m.modelId(), false);
        assertThat(got.tags()).containsExactly(new Tag("team", "risk"));
        assertThat(got.params()).containsExactly(new Param("epochs", "10"), new Param("lr", "0.1"));

        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Changing param values is not allowed",
                () -> store.logLoggedModelParams(m.modelId(), List.of(new Param("epochs", "11"), new Param("new", "x"))));
        assertThat(store.getLoggedModel(m.modelId(), false).params()).extracting(Param::key).containsExactly("epochs", "lr");
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No tag with key 'nope'", () -> store.deleteLoggedModelTag(m.modelId(), "nope"));

        store.deleteLoggedModel(m.modelId());
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Logged model with ID '" + m.modelId() + "' not found.",
                () -> store.getLoggedModel(m.modelId(), false));
        assertThat(store.getLoggedModel(m.modelId(), true).lifecycleStage()).isEqualTo(LifecycleStage.DELETED);
        store.deleteLoggedModel(m.modelId()); // again: accepted, as MLflow does
    }

    @Test
    void loggedModelErrors() {
        String exp = newExperiment();
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment with id=987654",
                () -> store.createLoggedModel("987654", "m", null, null, null, null));
        for (String bad : List.of("a/b", "a:b", "a.b", "50%", "it's", "\"q\"")) {
            assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid model name", () -> store.createLoggedModel(exp, bad, null, null, null, null));
        }
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found",
                () -> store.createLoggedModel(exp, "m", null, "0123456789abcdef0123456789abcdef", null, null));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "Logged model with ID 'm-nope' not found.", () -> store.getLoggedModel("m-nope", true));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.finalizeLoggedModel("m-nope", LoggedModelStatus.READY));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.setLoggedModelTags("m-nope", List.of(new Tag("a", "b"))));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Unknown model status", () -> LoggedModelStatus.parse("LOGGED_MODEL_STATUS_UNSPECIFIED"));
        store.deleteExperiment(exp);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.createLoggedModel(exp, "m", null, null, null, null));
        assertThat(store.searchLoggedModels(new LoggedModelQuery(List.of(exp), null, null, null, 0, null)).items()).isEmpty();
    }

    @Test
    void deletedRunsAndExperimentsCanBeRemovedForGood() {
        String exp = newExperiment();
        String kept = newRun(exp).info().runId();
        String gone = newRun(exp).info().runId();
        LoggedModel m = store.createLoggedModel(exp, "clf", null, gone, null, null);
        store.logBatch(gone, List.of(new Metric("loss", 0.5, 1L, 0)), List.of(new Param("lr", "0.1")), List.of(new Tag("t", "v")),
                List.of(new ModelMetric(m.modelId(), new Metric("acc", 0.9, 2L, 0), gone, null, null)));
        store.logInputs(gone, List.of(new DatasetInput(new Dataset("train", "d1", "local", "s", null, null),
                List.of(new Tag(DatasetInput.CONTEXT_TAG, "training")))));
        store.logModelIo(gone, List.of(new ModelIo(m.modelId(), ModelIo.Direction.OUTPUT, 0)));
        assertError(ErrorCode.INVALID_STATE, "not in the 'deleted' lifecycle stage", () -> store.purgeRun(gone));

        long beforeDeletion = System.currentTimeMillis() - 1;
        store.deleteRun(gone);
        assertThat(store.deletedRuns(beforeDeletion)).extracting(RunInfo::runId).as("deleted after the cutoff").doesNotContain(gone);
        assertThat(store.deletedRuns(Long.MAX_VALUE)).extracting(RunInfo::runId).contains(gone).doesNotContain(kept);
        store.purgeRun(gone);
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.getRun(gone));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.purgeRun(gone));
        assertThat(store.deletedRuns(Long.MAX_VALUE)).extracting(RunInfo::runId).doesNotContain(gone);
        assertThat(store.getLoggedModel(m.modelId(), false).metrics()).as("metrics the run logged to a model go with it").isEmpty();
        assertThat(store.searchRuns(new RunQuery(List.of(exp), null, List.of(), 100, null, ViewType.ALL)).items())
                .extracting(r -> r.info().runId()).containsExactly(kept);

        assertError(ErrorCode.INVALID_STATE, "not in the 'deleted' lifecycle stage", () -> store.purgeExperiment(exp));
        String name = store.getExperiment(exp).name();
        store.deleteExperiment(exp);
        assertThat(store.deletedExperiments(Long.MAX_VALUE)).extracting(Experiment::experimentId).contains(exp);
        assertThat(store.deletedRuns(Long.MAX_VALUE)).extracting(RunInfo::runId).as("its runs were deleted with it").contains(kept);
        store.purgeExperiment(exp);
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "No Experiment", () -> store.getExperiment(exp));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.getRun(kept));
        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.getLoggedModel(m.modelId(), true));
        assertThat(store.deletedExperiments(Long.MAX_VALUE)).extracting(Experiment::experimentId).doesNotContain(exp);
        String reborn = store.createExperiment(name, null, List.of());
        assertThat(Long.parseLong(reborn)).as("its name is free again, never its id").isGreaterThan(Long.parseLong(exp));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Default", () -> store.purgeExperiment(Experiment.DEFAULT_ID));
    }

    @Test
    void modelMetricsAndRunOutputsShareTheRunsTransaction() {
        String exp = newExperiment();
        String run = newRun(exp).info().runId();
        LoggedModel m = store.createLoggedModel(exp, "clf", null, run, null, null);
        store.logBatch(run, List.of(new Metric("loss", 0.5, 10L, 0)), List.of(), List.of(),
                List.of(new ModelMetric(m.modelId(), new Metric("acc", 0.9, 11L, 1), run, "iris", "abc123"),
                        new ModelMetric(m.modelId(), new Metric("acc", 0.95, 12L, 2), run, null, null)));
        assertThat(store.getLoggedModel(m.modelId(), false).metrics()).containsExactly(
                new ModelMetric(m.modelId(), new Metric("acc", 0.9, 11L, 1), run, "iris", "abc123"),
                new ModelMetric(m.modelId(), new Metric("acc", 0.95, 12L, 2), run, null, null));
        assertThat(store.getMetricHistory(run, "acc", 0, null).items()).hasSize(2);

        assertError(ErrorCode.RESOURCE_DOES_NOT_EXIST, "not found", () -> store.logBatch(run,
                List.of(new Metric("lost", 1, 1L, 0)), List.of(), List.of(),
                List.of(new ModelMetric("m-0000", new Metric("acc", 1, 1L, 0), run, null, null))));
        assertThat(store.getRun(run).latestMetrics()).extracting(Metric::key).containsExactlyInAnyOrder("loss", "acc");

        store.logModelIo(run, List.of(new ModelIo(m.modelId(), ModelIo.Direction.OUTPUT, 3), new ModelIo("m-other", ModelIo.Direction.INPUT, 0)));
        store.logModelIo(run, List.of(new ModelIo(m.modelId(), ModelIo.Direction.OUTPUT, 3)));
        assertThat(store.getRun(run).models()).containsExactly(new ModelIo("m-other", ModelIo.Direction.INPUT, 0),
                new ModelIo(m.modelId(), ModelIo.Direction.OUTPUT, 3));
        store.deleteRun(run);
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "must be in the 'active' state",
                () -> store.logModelIo(run, List.of(new ModelIo(m.modelId(), ModelIo.Direction.OUTPUT, 0))));
    }

    @Test
    void searchLoggedModels() throws Exception {
        String exp = newExperiment();
        String other = newExperiment();
        String run = newRun(exp).info().runId();
        LoggedModel a = store.createLoggedModel(exp, "alpha", "classifier", run, List.of(new Param("lr", "0.1")), List.of(new Tag("t", "x")));
        Thread.sleep(2);
        LoggedModel b = store.createLoggedModel(exp, "beta", "regressor", run, List.of(new Param("lr", "0.2")), List.of());
        Thread.sleep(2);
        LoggedModel c = store.createLoggedModel(exp, "gamma", null, null, null, null);
        LoggedModel d = store.createLoggedModel(exp, "deleted", null, null, null, null);
        store.createLoggedModel(other, "elsewhere", null, null, null, null);
        store.deleteLoggedModel(d.modelId());
        store.finalizeLoggedModel(b.modelId(), LoggedModelStatus.READY);
        store.logBatch(run, List.of(), List.of(), List.of(), List.of(
                new ModelMetric(a.modelId(), new Metric("acc", 0.7, 1L, 0), run, "train", "d1"),
                new ModelMetric(a.modelId(), new Metric("acc", 0.8, 2L, 0), run, "test", "d2"),
                new ModelMetric(b.modelId(), new Metric("acc", 0.9, 1L, 0), run, "train", "d1"),
                new ModelMetric(b.modelId(), new Metric("acc", 0.6, 2L, 0), run, "test", "d2")));

        assertThat(loggedIds(exp, null)).containsExactly(c.modelId(), b.modelId(), a.modelId());
        assertThat(loggedIds(exp, "name = 'beta'")).containsExactly(b.modelId());
        assertThat(loggedIds(exp, "name LIKE '%a' AND model_type != 'regressor'")).containsExactly(a.modelId());
        assertThat(loggedIds(exp, "params.lr = '0.1'")).containsExactly(a.modelId());
        assertThat(loggedIds(exp, "tags.t IN ('x', 'y')")).containsExactly(a.modelId());
        assertThat(loggedIds(exp, "status = 'LOGGED_MODEL_READY'")).containsExactly(b.modelId());
        assertThat(loggedIds(exp, "attributes.status != 'READY'")).containsExactly(c.modelId(), a.modelId());
        assertThat(loggedIds(exp, "metrics.acc > 0.85")).containsExactly(b.modelId());
        assertThat(loggedIds(exp, "creation_time >= " + b.creationTimestampMs())).containsExactly(c.modelId(), b.modelId());
        assertThat(loggedIds(exp, "source_run_id = '" + run + "'")).containsExactly(b.modelId(), a.modelId());

        var onTest = List.of(new LoggedModelQuery.DatasetKey("test", null));
        assertThat(store.searchLoggedModels(new LoggedModelQuery(List.of(exp), "metrics.acc > 0.75", onTest, null, 0, null))
                .items()).extracting(LoggedModel::modelId).containsExactly(a.modelId());
        assertThat(store.searchLoggedModels(new LoggedModelQuery(List.of(exp), null,
                List.of(new LoggedModelQuery.DatasetKey("train", "d1")), null, 0, null)).items()).hasSize(2);

        // by the latest value of a metric on a dataset; models without it last
        var byTrainAcc = List.of(new LoggedModelQuery.Order("metrics.acc", false, "train", null));
        assertThat(store.searchLoggedModels(new LoggedModelQuery(List.of(exp), null, null, byTrainAcc, 0, null)).items())
                .extracting(LoggedModel::modelId).containsExactly(b.modelId(), a.modelId(), c.modelId());
        var byName = List.of(new LoggedModelQuery.Order("name", true, null, null));
        Page<LoggedModel> p1 = store.searchLoggedModels(new LoggedModelQuery(List.of(exp, other), null, null, byName, 2, null));
        assertThat(p1.items()).extracting(LoggedModel::name).containsExactly("alpha", "beta");
        Page<LoggedModel> p2 = store.searchLoggedModels(new LoggedModelQuery(List.of(exp, other), null, null, byName, 2, p1.nextPageToken()));
        assertThat(p2.items()).extracting(LoggedModel::name).containsExactly("elsewhere", "gamma");
        assertThat(p2.nextPageToken()).isNull();

        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "Invalid attribute key 'size'", () -> loggedIds(exp, "size = 'x'"));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "ordered by attributes and metrics", () -> store.searchLoggedModels(
                new LoggedModelQuery(List.of(exp), null, null, List.of(new LoggedModelQuery.Order("params.lr", true, null, null)), 0, null)));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "dataset_name", () -> store.searchLoggedModels(
                new LoggedModelQuery(List.of(exp), null, List.of(new LoggedModelQuery.DatasetKey(null, "d1")), null, 0, null)));
        assertError(ErrorCode.INVALID_PARAMETER_VALUE, "page", () -> store.searchLoggedModels(
                new LoggedModelQuery(List.of(exp), "name = 'x'", null, byName, 2, p1.nextPageToken())));
    }

    private List<String> loggedIds(String exp, String filter) {
        return store.searchLoggedModels(new LoggedModelQuery(List.of(exp), filter, null, null, 0, null)).items().stream()
                .map(LoggedModel::modelId).toList();
    }
}
