package dev.mlv.server.tracking;

import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.mlflow.api.proto.Service.CreateExperiment;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Experiment;
import org.mlflow.api.proto.Service.ExperimentTag;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.Run;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.ExperimentsPage;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.Page;
import org.mlflow.tracking.RunsPage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The official MLflow Java client ({@code org.mlflow:mlflow-client:2.17.2}) against an in-process mlv server: every
 * tracking call it offers, and its error cases. (Its artifact calls shell out to Python and are tested over raw HTTP
 * in {@code ArtifactProxyTest}.)
 */
class MlflowJavaClientTest {
    @TempDir
    static Path home;
    static MlvServer server;
    static MlflowClient client;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        client = new MlflowClient(server.url());
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    /** The HTTP failure the client raised, with its status and MLflow error body. */
    static MlflowHttpException httpFailure(Executable call, int status, String errorCode) {
        MlflowHttpException e = assertThrows(MlflowHttpException.class, call);
        assertThat(e).isInstanceOf(MlflowClientException.class);
        assertThat(e.getStatusCode()).as(e.getBodyMessage()).isEqualTo(status);
        assertThat(e.getBodyMessage()).contains("\"error_code\":\"" + errorCode + "\"");
        return e;
    }

    static Map<String, String> tags(Run run) {
        return run.getData().getTagsList().stream().collect(Collectors.toMap(RunTag::getKey, RunTag::getValue));
    }

    static Map<String, String> params(Run run) {
        return run.getData().getParamsList().stream().collect(Collectors.toMap(Param::getKey, Param::getValue));
    }

    static Map<String, Double> metrics(Run run) {
        return run.getData().getMetricsList().stream().collect(Collectors.toMap(Metric::getKey, Metric::getValue));
    }

    // ---- experiments

    @Test
    void defaultExperimentExists() {
        Experiment def = client.getExperiment("0");
        assertThat(def.getName()).isEqualTo("Default");
        assertThat(def.getLifecycleStage()).isEqualTo("active");
        assertThat(client.getExperimentByName("Default")).hasValueSatisfying(e -> assertThat(e.getExperimentId()).isEqualTo("0"));
    }

    @Test
    void createsAndReadsExperiments() {
        String id = client.createExperiment("java-client-create");
        Experiment e = client.getExperiment(id);
        assertThat(e.getExperimentId()).isEqualTo(id);
        assertThat(e.getName()).isEqualTo("java-client-create");
        assertThat(e.getLifecycleStage()).isEqualTo("active");
        assertThat(e.getArtifactLocation()).isEqualTo("mlflow-artifacts:/" + id);
        assertThat(e.getCreationTime()).isPositive();
        assertThat(e.getLastUpdateTime()).isGreaterThanOrEqualTo(e.getCreationTime());
        assertThat(client.getExperimentByName("java-client-create")).hasValueSatisfying(x -> assertThat(x.getExperimentId()).isEqualTo(id));

        String tagged = client.createExperiment(CreateExperiment.newBuilder().setName("java-client-tagged")
                .addTags(ExperimentTag.newBuilder().setKey("team").setValue("vision")).build());
        assertThat(client.getExperiment(tagged).getTagsList()).extracting(ExperimentTag::getKey, ExperimentTag::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("team", "vision"));
    }

    @Test
    void experimentErrors() {
        client.createExperiment("java-client-dup");
        MlflowHttpException dup = httpFailure(() -> client.createExperiment("java-client-dup"), 400, "RESOURCE_ALREADY_EXISTS");
        assertThat(dup.getBodyMessage()).contains("java-client-dup");
        httpFailure(() -> client.getExperiment("987654321"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(client.getExperimentByName("no such experiment")).isEmpty();
        httpFailure(() -> client.renameExperiment("987654321", "x"), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.deleteExperiment("987654321"), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.createExperiment(""), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void renamesTagsDeletesAndRestoresExperiments() {
        String id = client.createExperiment("java-client-lifecycle");
        client.renameExperiment(id, "java-client-renamed");
        assertThat(client.getExperiment(id).getName()).isEqualTo("java-client-renamed");
        assertThat(client.getExperimentByName("java-client-lifecycle")).isEmpty();

        client.setExperimentTag(id, "owner", "alice");
        client.setExperimentTag(id, "owner", "bob");
        assertThat(client.getExperiment(id).getTagsList()).extracting(ExperimentTag::getValue).containsExactly("bob");

        client.deleteExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("deleted");
        assertThat(names(client.searchExperiments("name = 'java-client-renamed'"))).isEmpty();
        assertThat(names(client.searchExperiments("name = 'java-client-renamed'", ViewType.DELETED_ONLY, 10, List.of())))
                .containsExactly("java-client-renamed");
        assertThat(names(client.searchExperiments("name = 'java-client-renamed'", ViewType.ALL, 10, List.of())))
                .containsExactly("java-client-renamed");

        client.restoreExperiment(id);
        assertThat(client.getExperiment(id).getLifecycleStage()).isEqualTo("active");
        assertThat(names(client.searchExperiments("name = 'java-client-renamed'"))).containsExactly("java-client-renamed");
    }

    @Test
    void searchesExperimentsWithFilterOrderAndPaging() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            String name = "paged-exp-" + i;
            String id = client.createExperiment(name);
            client.setExperimentTag(id, "parity", i % 2 == 0 ? "even" : "odd");
            created.add(name);
        }
        ExperimentsPage first = client.searchExperiments("name LIKE 'paged-exp-%'", ViewType.ACTIVE_ONLY, 3, List.of("name DESC"));
        assertThat(first.getItems()).hasSize(3);
        assertThat(first.hasNextPage()).isTrue();
        assertThat(first.getNextPageToken()).isPresent();

        List<String> all = new ArrayList<>();
        Page<Experiment> page = first;
        while (true) {
            page.getItems().forEach(e -> all.add(e.getName()));
            if (!page.hasNextPage()) break;
            page = page.getNextPage();
        }
        List<String> expected = new ArrayList<>(created);
        expected.sort(java.util.Comparator.reverseOrder());
        assertThat(all).containsExactlyElementsOf(expected);

        assertThat(names(client.searchExperiments("tags.parity = 'odd' AND name LIKE 'paged-exp-%'", ViewType.ACTIVE_ONLY, 100, List.of("name ASC"))))
                .containsExactly("paged-exp-1", "paged-exp-3", "paged-exp-5");
        assertThat(names(client.searchExperiments("name ILIKE 'PAGED-EXP-6'"))).containsExactly("paged-exp-6");

        ExperimentsPage explicit = client.searchExperiments("name LIKE 'paged-exp-%'", ViewType.ACTIVE_ONLY, 3,
                List.of("name DESC"), first.getNextPageToken().orElseThrow());
        assertThat(names(explicit)).containsExactlyElementsOf(expected.subList(3, 6));

        httpFailure(() -> client.searchExperiments("name === 'x'"), 400, "INVALID_PARAMETER_VALUE");
        httpFailure(() -> client.searchExperiments("bogus.key = 'x'"), 400, "INVALID_PARAMETER_VALUE");
    }

    private static List<String> names(ExperimentsPage page) {
        return page.getItems().stream().map(Experiment::getName).toList();
    }

    // ---- runs

    @Test
    void createsAndReadsRuns() {
        String exp = client.createExperiment("java-client-runs");
        RunInfo info = client.createRun(exp);
        assertThat(info.getRunId()).matches("[0-9a-f]{32}");
        assertThat(info.getRunUuid()).isEqualTo(info.getRunId());
        assertThat(info.getExperimentId()).isEqualTo(exp);
        assertThat(info.getStatus()).isEqualTo(RunStatus.RUNNING);
        assertThat(info.getLifecycleStage()).isEqualTo("active");
        assertThat(info.getArtifactUri()).isEqualTo("mlflow-artifacts:/" + exp + "/" + info.getRunId() + "/artifacts");
        assertThat(info.getUserId()).isEqualTo(System.getProperty("user.name"));
        assertThat(info.getStartTime()).isPositive();
        assertThat(info.hasEndTime()).isFalse();
        assertThat(info.getRunName()).isNotBlank();

        RunInfo named = client.createRun(CreateRun.newBuilder().setExperimentId(exp).setRunName("resnet-baseline")
                .setStartTime(1_700_000_000_000L).setUserId("carol")
                .addTags(RunTag.newBuilder().setKey("stage").setValue("dev")).build());
        Run run = client.getRun(named.getRunId());
        assertThat(run.getInfo().getRunName()).isEqualTo("resnet-baseline");
        assertThat(run.getInfo().getStartTime()).isEqualTo(1_700_000_000_000L);
        assertThat(run.getInfo().getUserId()).isEqualTo("carol");
        assertThat(tags(run)).containsEntry("stage", "dev").containsEntry("mlflow.runName", "resnet-baseline");

        RunInfo inDefault = client.createRun();
        assertThat(inDefault.getExperimentId()).isEqualTo("0");
        assertThat(client.listRunInfos(exp)).extracting(RunInfo::getRunId).contains(info.getRunId(), named.getRunId());
    }

    @Test
    void logsParamsMetricsTagsAndBatches() {
        String exp = client.createExperiment("java-client-logging");
        String runId = client.createRun(exp).getRunId();

        client.logParam(runId, "lr", "0.01");
        client.logParam(runId, "lr", "0.01"); // the same value again is fine
        client.logMetric(runId, "loss", 0.9);
        client.logMetric(runId, "loss", 0.5, 1_700_000_000_100L, 1);
        client.logMetric(runId, "loss", 0.25, 1_700_000_000_200L, 2);
        client.logMetric(runId, "nan-metric", Double.NaN);
        client.setTag(runId, "owner", "dave");
        client.setTag(runId, "temp", "x");
        client.deleteTag(runId, "temp");
        client.logBatch(runId,
                List.of(Metric.newBuilder().setKey("acc").setValue(0.7).setTimestamp(1_700_000_000_000L).setStep(0).build(),
                        Metric.newBuilder().setKey("acc").setValue(0.8).setTimestamp(1_700_000_000_001L).setStep(1).build()),
                List.of(Param.newBuilder().setKey("optimizer").setValue("adam").build()),
                List.of(RunTag.newBuilder().setKey("mlflow.source.name").setValue("train.java").build()));

        Run run = client.getRun(runId);
        assertThat(params(run)).containsEntry("lr", "0.01").containsEntry("optimizer", "adam");
        assertThat(metrics(run)).containsEntry("loss", 0.25).containsEntry("acc", 0.8);
        assertThat(metrics(run).get("nan-metric")).isNaN();
        assertThat(tags(run)).containsEntry("owner", "dave").containsEntry("mlflow.source.name", "train.java").doesNotContainKey("temp");

        List<Metric> loss = client.getMetricHistory(runId, "loss");
        assertThat(loss).extracting(Metric::getStep).containsExactly(0L, 1L, 2L);
        assertThat(loss).extracting(Metric::getValue).containsExactly(0.9, 0.5, 0.25);
        assertThat(loss.get(2).getTimestamp()).isEqualTo(1_700_000_000_200L);
        assertThat(client.getMetricHistory(runId, "never-logged")).isEmpty();
    }

    @Test
    void longMetricHistoriesComeBackWhole() {
        String runId = client.createRun(client.createExperiment("java-client-history")).getRunId();
        for (int chunk = 0; chunk < 3; chunk++) {
            int base = chunk * 1000;
            client.logBatch(runId, IntStream.range(base, base + 1000)
                    .mapToObj(i -> Metric.newBuilder().setKey("m").setValue(i / 10.0).setTimestamp(1000L + i).setStep(i).build())
                    .toList(), List.of(), List.of());
        }
        List<Metric> history = client.getMetricHistory(runId, "m");
        assertThat(history).hasSize(3000);
        assertThat(history.get(2999).getStep()).isEqualTo(2999);
    }

    @Test
    void runErrors() {
        String runId = client.createRun(client.createExperiment("java-client-run-errors")).getRunId();
        client.logParam(runId, "p", "one");
        MlflowHttpException overwrite = httpFailure(() -> client.logParam(runId, "p", "two"), 400, "INVALID_PARAMETER_VALUE");
        assertThat(overwrite.getBodyMessage()).contains("p");
        assertThat(params(client.getRun(runId))).containsEntry("p", "one");

        String unknown = "0123456789abcdef0123456789abcdef";
        httpFailure(() -> client.getRun(unknown), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.logMetric(unknown, "m", 1.0), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.setTerminated(unknown), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.createRun("987654321"), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.getMetricHistory(unknown, "m"), 404, "RESOURCE_DOES_NOT_EXIST");
        httpFailure(() -> client.logParam(runId, "bad/../key", "v"), 400, "INVALID_PARAMETER_VALUE");
        httpFailure(() -> client.logParam(runId, "x".repeat(251), "v"), 400, "INVALID_PARAMETER_VALUE");
        httpFailure(() -> client.logBatch(runId, IntStream.range(0, 1001)
                .mapToObj(i -> Metric.newBuilder().setKey("m").setValue(i).setTimestamp(i).build()).toList(),
                List.of(), List.of()), 400, "INVALID_PARAMETER_VALUE");
        httpFailure(() -> client.searchRuns(List.of("0"), "metrics.acc >>> 1"), 400, "INVALID_PARAMETER_VALUE");
        httpFailure(() -> client.searchRuns(List.of("0"), "params.x = 'a' OR params.y = 'b'"), 400, "INVALID_PARAMETER_VALUE");
        assertThatThrownBy(() -> client.deleteTag(runId, "no-such-tag")).isInstanceOf(MlflowHttpException.class);
    }

    @Test
    void terminatesDeletesAndRestoresRuns() {
        String exp = client.createExperiment("java-client-terminate");
        String a = client.createRun(exp).getRunId();
        String b = client.createRun(exp).getRunId();

        client.setTerminated(a);
        RunInfo finished = client.getRun(a).getInfo();
        assertThat(finished.getStatus()).isEqualTo(RunStatus.FINISHED);
        assertThat(finished.getEndTime()).isPositive();

        client.setTerminated(b, RunStatus.FAILED, 1_800_000_000_000L);
        RunInfo failed = client.getRun(b).getInfo();
        assertThat(failed.getStatus()).isEqualTo(RunStatus.FAILED);
        assertThat(failed.getEndTime()).isEqualTo(1_800_000_000_000L);

        client.deleteRun(a);
        assertThat(client.getRun(a).getInfo().getLifecycleStage()).isEqualTo("deleted");
        assertThat(client.searchRuns(List.of(exp), "")).extracting(RunInfo::getRunId).containsExactly(b);
        assertThat(client.searchRuns(List.of(exp), "", ViewType.DELETED_ONLY)).extracting(RunInfo::getRunId).containsExactly(a);
        assertThat(client.searchRuns(List.of(exp), "", ViewType.ALL)).extracting(RunInfo::getRunId).containsExactlyInAnyOrder(a, b);

        client.restoreRun(a);
        assertThat(client.getRun(a).getInfo().getLifecycleStage()).isEqualTo("active");
        assertThat(client.searchRuns(List.of(exp), "")).extracting(RunInfo::getRunId).containsExactlyInAnyOrder(a, b);
    }

    @Test
    void searchesRunsWithFiltersOrderAndPaging() {
        String exp = client.createExperiment("java-client-search");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String runId = client.createRun(CreateRun.newBuilder().setExperimentId(exp).setRunName("run-" + i)
                    .setStartTime(1_700_000_000_000L + i).build()).getRunId();
            client.logBatch(runId,
                    List.of(Metric.newBuilder().setKey("acc").setValue(i / 10.0).setTimestamp(1L).setStep(0).build()),
                    List.of(Param.newBuilder().setKey("model").setValue(i % 2 == 0 ? "cnn" : "mlp").build()),
                    List.of(RunTag.newBuilder().setKey("group").setValue(i < 3 ? "a" : "b").build()));
            ids.add(runId);
        }

        List<String> cnnByAcc = client.searchRuns(List.of(exp), "params.model = 'cnn' and metrics.acc >= 0.2",
                ViewType.ACTIVE_ONLY, 100, List.of("metrics.acc DESC")).getItems().stream()
                .map(r -> r.getInfo().getRunName()).toList();
        assertThat(cnnByAcc).containsExactly("run-4", "run-2");

        assertThat(client.searchRuns(List.of(exp), "tags.group = 'b' AND attributes.run_name LIKE 'run-%'", ViewType.ACTIVE_ONLY, 100,
                List.of("attributes.start_time ASC")).getItems()).extracting(r -> r.getInfo().getRunName())
                .containsExactly("run-3", "run-4", "run-5");
        assertThat(client.searchRuns(List.of(exp), "attributes.run_id IN ('" + ids.get(0) + "', '" + ids.get(5) + "')"))
                .extracting(RunInfo::getRunId).containsExactlyInAnyOrder(ids.get(0), ids.get(5));

        RunsPage first = client.searchRuns(List.of(exp), "", ViewType.ACTIVE_ONLY, 4, List.of("metrics.acc ASC"));
        assertThat(first.getItems()).hasSize(4);
        assertThat(first.hasNextPage()).isTrue();
        Page<Run> second = first.getNextPage();
        assertThat(second.getItems()).hasSize(2);
        assertThat(second.hasNextPage()).isFalse();
        List<String> order = new ArrayList<>();
        first.getItems().forEach(r -> order.add(r.getInfo().getRunName()));
        second.getItems().forEach(r -> order.add(r.getInfo().getRunName()));
        assertThat(order).containsExactly("run-0", "run-1", "run-2", "run-3", "run-4", "run-5");

        RunsPage byToken = client.searchRuns(List.of(exp), "", ViewType.ACTIVE_ONLY, 4, List.of("metrics.acc ASC"),
                first.getNextPageToken().orElseThrow());
        assertThat(byToken.getItems()).extracting(r -> r.getInfo().getRunName()).containsExactly("run-4", "run-5");

        // default order: newest start_time first
        assertThat(client.searchRuns(List.of(exp), "metrics.acc > 0.35")).extracting(RunInfo::getRunName)
                .containsExactly("run-5", "run-4");
    }
}
