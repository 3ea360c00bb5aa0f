package dev.mlv.client;

import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Metric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MLflow's system metrics, logged by a real client on a real in-process server. */
class SystemMetricsTest extends InProcessServerTest {
    private static final List<String> NAMES = List.of("cpu_utilization_percentage", "system_memory_usage_megabytes",
            "system_memory_usage_percentage", "disk_usage_megabytes", "disk_usage_percentage", "disk_available_megabytes",
            "network_receive_megabytes", "network_transmit_megabytes");

    @Test
    void anOpenRunLogsMlflowsSystemMetricsAtIncreasingStepsUntilItEnds() throws Exception {
        MlvClient c = MlvClient.connect(server.url()).captureEnvironment(false)
                .logSystemMetrics(new SystemMetrics.Settings(Duration.ofMillis(150), 2, null));
        String runId;
        long started = System.nanoTime();
        try (ActiveRun run = c.startRun("system-metrics")) {
            runId = run.runId();
            Thread.sleep(1_500);
        }
        long openMs = (System.nanoTime() - started) / 1_000_000;
        Map<String, Double> latest = client.getRun(runId).latestMetrics().stream()
                .collect(Collectors.toMap(Metric::key, Metric::value));
        assertThat(latest.keySet()).containsAll(NAMES.stream().map(n -> "system/" + n).toList());
        assertThat(latest.get("system/cpu_utilization_percentage")).isBetween(0.0, 100.0);
        assertThat(latest.get("system/system_memory_usage_percentage")).isBetween(0.1, 100.0);
        assertThat(latest.get("system/disk_usage_percentage")).isBetween(0.0, 100.0);
        assertThat(latest.get("system/disk_available_megabytes")).isPositive();
        assertThat(latest.get("system/network_receive_megabytes")).isGreaterThanOrEqualTo(0.0);
        double memory = latest.get("system/system_memory_usage_megabytes");
        assertThat(memory).as("one decimal").isEqualTo(Math.round(memory * 10) / 10.0);

        List<Metric> history = client.metricHistory(runId, "system/disk_available_megabytes");
        assertThat(history.size()).as("a point per 2 samples of 150 ms while the run was open (%d ms)", openMs)
                .isBetween(2, (int) (openMs / 300) + 1);
        assertThat(history).extracting(Metric::step).isSorted().startsWith(0L, 1L).doesNotHaveDuplicates();

        // the run has ended: no more points
        Thread.sleep(500);
        assertThat(client.metricHistory(runId, "system/disk_available_megabytes")).hasSameSizeAs(history);
    }

    @Test
    void aNodeIdNamesTheMachineAndRunsLogNothingUnlessAsked() throws Exception {
        MlvClient c = MlvClient.connect(server.url()).captureEnvironment(false)
                .logSystemMetrics(new SystemMetrics.Settings(Duration.ofMillis(100), 1, "node_1"));
        String withNode;
        try (ActiveRun run = c.startRun("system-metrics")) {
            withNode = run.runId();
            Thread.sleep(400);
        }
        assertThat(client.getRun(withNode).latestMetrics()).extracting(Metric::key).contains("system/node_1/disk_usage_megabytes")
                .noneMatch(k -> k.startsWith("system/disk"));

        String without;
        try (ActiveRun run = c.logSystemMetrics(false).startRun("system-metrics")) {
            without = run.runId();
            Thread.sleep(300);
        }
        assertThat(client.getRun(without).latestMetrics()).isEmpty();
    }

    @Test
    void settingsComeFromMlflowsVariables() {
        Map<String, String> env = Map.of("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "true",
                "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0.5", "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING", "3",
                "MLV_SYSTEM_METRICS_NODE_ID", "gpu-7");
        assertThat(SystemMetrics.enabledIn(env::get)).isTrue();
        assertThat(SystemMetrics.enabledIn(Map.of("MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING", "false")::get)).isFalse();
        assertThat(SystemMetrics.enabledIn(k -> null)).isFalse();
        assertThat(SystemMetrics.Settings.fromEnvironment(env::get))
                .isEqualTo(new SystemMetrics.Settings(Duration.ofMillis(500), 3, "gpu-7"));
        assertThat(SystemMetrics.Settings.fromEnvironment(k -> null)).isEqualTo(SystemMetrics.Settings.DEFAULT);
        assertThatThrownBy(() -> SystemMetrics.Settings.fromEnvironment(Map.of("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "often")::get))
                .isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> new SystemMetrics.Settings(Duration.ofSeconds(1), 0, null)).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> new SystemMetrics.Settings(Duration.ofSeconds(1), 1, "a/b")).isInstanceOf(MlvException.class);
    }
}
