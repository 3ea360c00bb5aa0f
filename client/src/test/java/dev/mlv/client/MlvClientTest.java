package dev.mlv.client;

import dev.mlv.artifacts.FileInfo;
import dev.mlv.client.env.Environment;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunStatus;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.ViewType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java client against a real in-process server (SQLite + local artifacts in a temp home). */
class MlvClientTest extends InProcessServerTest {
    private static Map<String, String> tags(Run run) {
        return run.tags().stream().collect(Collectors.toMap(Tag::key, Tag::value));
    }

    @Test
    void runBlockThatThrowsEndsFailedAndRethrows() {
        String[] id = new String[1];
        assertThatThrownBy(() -> client.run("failing", run -> {
            id[0] = run.runId();
            run.logMetric("loss", 0.5, 1);
            throw new IllegalStateException("diverged at epoch 3");
        })).isInstanceOf(IllegalStateException.class).hasMessage("diverged at epoch 3");

        Run run = client.getRun(id[0]);
        assertThat(run.info().status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.info().endTime()).isNotNull();
        assertThat(tags(run).get(ActiveRun.FAILURE_TAG)).contains("IllegalStateException").contains("diverged at epoch 3");
        assertThat(client.metricHistory(id[0], "loss")).extracting(Metric::value).containsExactly(0.5);
    }

    @Test
    void checkedExceptionsPassThroughRunAndFailTheRun() {
        String[] id = new String[1];
        assertThatThrownBy(() -> client.run("failing", run -> {
            id[0] = run.runId();
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class);
        assertThat(client.getRun(id[0]).info().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void runBlockThatReturnsEndsFinished() {
        String id = client.run("ok", run -> run.logParam("lr", 0.01));
        Run run = client.getRun(id);
        assertThat(run.info().status()).isEqualTo(RunStatus.FINISHED);
        assertThat(run.params()).extracting(p -> p.key() + "=" + p.value()).containsExactly("lr=0.01");
    }

    @Test
    void tryWithResourcesEndsFinishedOrFailedWhenMarked() {
        String finished;
        try (ActiveRun run = client.startRun("twr", "plain")) {
            finished = run.runId();
        }
        assertThat(client.getRun(finished).info().status()).isEqualTo(RunStatus.FINISHED);

        String failed = null;
        try (ActiveRun run = client.startRun("twr")) {
            failed = run.runId();
            try {
                throw new ArithmeticException("NaN loss");
            } catch (ArithmeticException e) {
                run.fail(e);
            }
        }
        assertThat(client.getRun(failed).info().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    void endedRunRejectsWritesAndCloseIsIdempotent() {
        ActiveRun run = client.startRun("twr");
        run.end(RunStatus.KILLED);
        run.close();
        assertThat(client.getRun(run.runId()).info().status()).isEqualTo(RunStatus.KILLED);
        assertThatThrownBy(() -> run.logParam("a", "b")).isInstanceOf(MlvException.class).hasMessageContaining("ended");
        assertThatThrownBy(() -> run.logMetric("a", 1)).isInstanceOf(MlvException.class);
    }

    @Test
    void noMetricIsLostWhen100kAreLogged() {
        String id;
        try (ActiveRun run = client.startRun("bulk")) {
            id = run.runId();
            for (int i = 0; i < 100_000; i++) run.logMetric(i % 2 == 0 ? "loss" : "acc", i, i);
        }
        List<Metric> loss = client.metricHistory(id, "loss");
        List<Metric> acc = client.metricHistory(id, "acc");
        assertThat(loss).hasSize(50_000);
        assertThat(acc).hasSize(50_000);
        assertThat(loss.stream().mapToLong(Metric::step).distinct().count()).isEqualTo(50_000);
        assertThat(client.getRun(id).latestMetrics()).extracting(Metric::key).containsExactlyInAnyOrder("loss", "acc");
    }

    @Test
    void queuedMetricsSurviveAnExitWithoutClose() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                ExitWithoutClosing.class.getName(), server.url()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        String runId = out.lines().filter(l -> l.matches("[0-9a-f]{32}")).findFirst().orElseThrow();
        assertThat(client.metricHistory(runId, "m")).hasSize(5_000);
        assertThat(client.getRun(runId).info().status()).isEqualTo(RunStatus.FINISHED);
    }

    @Test
    void nonFiniteMetricValuesRoundTrip() {
        String id = client.run("nan", run -> run.logMetric("loss", Double.NaN, 1)
                .logMetric("loss", Double.POSITIVE_INFINITY, 2).logMetric("loss", Double.NEGATIVE_INFINITY, 3));
        assertThat(client.metricHistory(id, "loss")).extracting(Metric::value)
                .containsExactly(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Test
    void serverRejectionOfABatchSurfacesOnFlush() {
        try (ActiveRun run = client.startRun("bad-metrics")) {
            run.logMetric("x".repeat(1000), 1.0); // longer than MLflow's key limit (250)
            assertThatThrownBy(run::flush).isInstanceOf(MlvException.class).hasMessageContaining("failed");
            run.fail();
        } catch (MlvException expectedOnClose) {
            // close re-reports the failed batch after ending the run
        }
    }

    @Test
    void paramsTagsAndSystemTags() {
        String id;
        try (ActiveRun run = client.startRun("tags", "my-run", Map.of("team", "risk"))) {
            id = run.runId();
            assertThat(run.runName()).isEqualTo("my-run");
            run.logParams(Map.of("a", 1, "b", "two")).setTag("stage", "dev");
        }
        Run run = client.getRun(id);
        Map<String, String> tags = tags(run);
        assertThat(tags).containsEntry(MlvClient.TAG_USER, MlvClient.user())
                .containsEntry(MlvClient.TAG_SOURCE_TYPE, "LOCAL")
                .containsEntry(MlvClient.TAG_RUN_NAME, "my-run")
                .containsEntry("team", "risk").containsEntry("stage", "dev")
                .containsKey(MlvClient.TAG_SOURCE_NAME);
        assertThat(run.info().runName()).isEqualTo("my-run");
        assertThat(run.params()).hasSize(2);
        if (dev.mlv.client.env.GitInfo.find(Path.of("")).isPresent()) {
            assertThat(tags.get(MlvClient.TAG_GIT_COMMIT)).matches("[0-9a-f]{40}");
        }
        assertThatThrownBy(() -> {
            try (ActiveRun r = client.startRun("tags")) {
                r.logParam("p", "1");
                r.logParam("p", "2");
            }
        }).isInstanceOf(MlvException.class);
    }

    @Test
    void environmentIsStoredAsAnArtifact() throws IOException {
        String id = client.run("env", run -> { });
        try (InputStream in = client.openArtifact(id, Environment.ARTIFACT_NAME)) {
            var json = dev.mlv.client.http.RestClient.json().readTree(in);
            assertThat(json.path("java").path("version").asText()).isEqualTo(System.getProperty("java.version"));
            assertThat(json.path("os").path("arch").asText()).isEqualTo(System.getProperty("os.arch"));
            assertThat(json.path("dependencies").toString()).contains("com.fasterxml.jackson.core:jackson-databind:");
        }
    }

    @Test
    void artifactsRoundTrip(@TempDir Path tmp) throws IOException {
        Path model = tmp.resolve("model.bin");
        byte[] bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        Files.write(model, bytes);
        Path dir = Files.createDirectories(tmp.resolve("report"));
        Files.writeString(dir.resolve("summary.txt"), "accuracy 0.93");
        Files.createDirectories(dir.resolve("plots"));
        Files.writeString(dir.resolve("plots/roc.csv"), "fpr,tpr\n0,0\n1,1\n");

        String id;
        try (ActiveRun run = client.startRun("artifacts")) {
            id = run.runId();
            assertThat(run.artifactUri()).isEqualTo("mlflow-artifacts:/" + run.experimentId() + "/" + id + "/artifacts");
            run.logArtifact(model).logArtifact(model, "models/v1").logArtifacts(dir, "report").logText("hi", "notes/n.txt");
        }
        assertThat(client.listArtifacts(id, "")).extracting(FileInfo::path)
                .contains("model.bin", "models", "report", "notes", Environment.ARTIFACT_NAME);
        assertThat(client.listArtifacts(id, "report")).extracting(FileInfo::path)
                .containsExactlyInAnyOrder("report/summary.txt", "report/plots");
        Path back = client.downloadArtifact(id, "models/v1/model.bin", tmp.resolve("back.bin"));
        assertThat(Files.readAllBytes(back)).isEqualTo(bytes);
        assertThat(Files.readString(client.downloadArtifact(id, "report/plots/roc.csv", tmp.resolve("roc.csv"))))
                .isEqualTo("fpr,tpr\n0,0\n1,1\n");
        assertThatThrownBy(() -> client.downloadArtifact(id, "../other/x", tmp.resolve("x")))
                .isInstanceOf(MlvException.class);
    }

    @Test
    void datasetInputsAreRecorded() {
        String id = client.run("data", run -> run.logInput(
                DatasetRef.of("iris", "9f86d081", "mlv", "{\"path\":\"iris.csv\"}").withContext("training")));
        Run run = client.getRun(id);
        assertThat(run.inputs()).hasSize(1);
        assertThat(run.inputs().get(0).dataset().digest()).isEqualTo("9f86d081");
        assertThat(run.inputs().get(0).tags()).contains(new Tag("mlflow.data.context", "training"));
    }

    @Test
    void checkpointsRoundTripAndTheLatestIsFound(@TempDir Path tmp) throws IOException {
        String id;
        try (ActiveRun run = client.startRun("checkpoints")) {
            id = run.runId();
            assertThat(client.latestCheckpoint(id)).isEmpty();
            for (int epoch = 1; epoch <= 3; epoch++) {
                Path weights = tmp.resolve("weights.bin");
                Files.writeString(weights, "weights of epoch " + epoch);
                Path opt = tmp.resolve("optimizer.json");
                Files.writeString(opt, "{\"lr\": " + (0.1 / epoch) + "}");
                run.logCheckpoint(epoch, Map.of("loss", 1.0 / epoch), weights, opt);
            }
        }
        Optional<Checkpoint> latest = client.latestCheckpoint(id);
        assertThat(latest).isPresent();
        Checkpoint cp = latest.get();
        assertThat(cp.epoch()).isEqualTo(3);
        assertThat(cp.step()).isEqualTo(3);
        assertThat(cp.metrics()).containsEntry("loss", 1.0 / 3);
        assertThat(cp.files()).extracting(Checkpoint.File::path).containsExactly("weights.bin", "optimizer.json");
        assertThat(client.checkpoints(id)).extracting(Checkpoint::epoch).containsExactly(1, 2, 3);
        assertThat(client.metricHistory(id, "loss")).extracting(Metric::step).containsExactly(1L, 2L, 3L);

        Path restored = client.downloadCheckpoint(cp, tmp.resolve("restore"));
        assertThat(Files.readString(restored.resolve("weights.bin"))).isEqualTo("weights of epoch 3");

        // Tamper with the stored bytes: the download must notice.
        Path stored;
        try (Stream<Path> s = Files.walk(home.resolve("artifacts"))) {
            stored = s.filter(p -> p.endsWith(Path.of("epoch-3", "weights.bin"))).findFirst().orElseThrow();
        }
        Files.writeString(stored, "weights of epoch X");
        assertThatThrownBy(() -> client.downloadCheckpoint(cp, tmp.resolve("restore2")))
                .isInstanceOf(MlvException.class).hasMessageContaining("corrupt");
        assertThat(tmp.resolve("restore2/weights.bin")).doesNotExist();
    }

    @Test
    void incompleteCheckpointWithoutManifestIsIgnored(@TempDir Path tmp) throws IOException {
        Path f = Files.writeString(tmp.resolve("w.bin"), "w");
        String id;
        try (ActiveRun run = client.startRun("checkpoints")) {
            id = run.runId();
            run.logCheckpoint(1, Map.of(), f);
            run.logArtifact(f, "checkpoints/epoch-2"); // a crash before checkpoint.json was written
        }
        assertThat(client.latestCheckpoint(id)).map(Checkpoint::epoch).contains(1);
    }

    @Test
    void searchRunsFiltersAndFollowsEveryPage() {
        String experiment = client.getOrCreateExperiment("search-pages");
        DatasetRef data = DatasetRef.of("train.csv", "0123456789abcdef0123456789abcdef", "mlv", "{}");
        client.run("search-pages", run -> run.logMetric("acc", 0.95).logInput(data));
        client.run("search-pages", run -> run.logMetric("acc", 0.5));
        // more runs than one page holds (MlvClient.SEARCH_PAGE), created directly to keep the test quick
        for (int i = 0; i < MlvClient.SEARCH_PAGE; i++) {
            client.rest().post("/api/2.0/mlflow/runs/create", Map.of("experiment_id", experiment, "start_time", i));
        }
        assertThat(client.searchRuns(null, List.of(experiment), ViewType.ACTIVE_ONLY))
                .hasSize(MlvClient.SEARCH_PAGE + 2).extracting(r -> r.info().runId()).doesNotHaveDuplicates();
        assertThat(client.searchRuns("metrics.acc > 0.9", List.of(experiment), ViewType.ACTIVE_ONLY))
                .singleElement().satisfies(r -> assertThat(r.inputs()).hasSize(1));
        // no experiment given: every experiment is searched
        assertThat(client.searchRuns("datasets.digest = '" + data.digest() + "'", List.of(), ViewType.ACTIVE_ONLY))
                .singleElement().satisfies(r -> assertThat(r.info().experimentId()).isEqualTo(experiment));
        assertThat(client.searchExperiments(ViewType.ACTIVE_ONLY)).extracting(Experiment::name).contains("search-pages");
    }

    @Test
    void experimentsAreCreatedOnceByName() {
        String a = client.getOrCreateExperiment("shared-exp");
        String b = client.getOrCreateExperiment("shared-exp");
        assertThat(a).isEqualTo(b);
        assertThat(client.getExperiment(a).name()).isEqualTo("shared-exp");
        assertThat(client.getExperimentByName("no-such-exp")).isEmpty();
    }

    @Test
    void unreachableServerIsAClearError() {
        MlvClient down = MlvClient.connect("http://127.0.0.1:1");
        assertThatThrownBy(() -> down.startRun("x")).isInstanceOf(MlvException.class)
                .hasMessageContaining("Cannot reach the mlv server");
    }

    /** The README's tour, as written there (with the files it names created first). */
    @Test
    void readmeTourWorks(@TempDir Path tmp) throws IOException {
        Path weights = Files.writeString(tmp.resolve("weights.bin"), "w");
        Path modelFile = Files.writeString(tmp.resolve("model.onnx"), "onnx");
        String runId = client.run("iris", run -> {
            run.logParam("learning_rate", 0.05);
            for (int epoch = 1; epoch <= 10; epoch++) {
                double loss = 1.0 / epoch;
                run.logMetric("loss", loss, epoch);
                if (epoch % 5 == 0) {
                    run.logCheckpoint(epoch, Map.of("val_loss", loss * 1.1), weights);
                }
            }
            run.logArtifact(modelFile);
        });
        Path resume = tmp.resolve("resume");
        client.latestCheckpoint(runId).ifPresent(cp -> client.downloadCheckpoint(cp, resume));
        assertThat(resume.resolve("weights.bin")).hasContent("w");
        assertThat(client.latestCheckpoint(runId).orElseThrow().epoch()).isEqualTo(10);
        assertThat(client.metricHistory(runId, "loss")).hasSize(10);
        assertThat(client.metricHistory(runId, "val_loss")).extracting(Metric::step).containsExactly(5L, 10L);
    }

    @Test
    void textArtifactsUseUtf8() throws IOException {
        String id = client.run("text", run -> run.logText("héllo", "t.txt"));
        try (InputStream in = client.openArtifact(id, "t.txt")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("héllo");
        }
    }
}
