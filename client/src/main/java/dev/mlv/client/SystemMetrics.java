package dev.mlv.client;

import dev.mlv.errors.MlvException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * MLflow's system metrics, logged on a run while it is open: every {@code samplingInterval} a sample of the machine,
 * and every {@code samplesBeforeLogging} samples their mean (one decimal) as metrics {@code system/NAME} at steps 0, 1,
 * 2, ... (with a node id: {@code system/NODE/NAME}), under MLflow's names:
 * <ul>
 *   <li>{@code cpu_utilization_percentage}: the whole machine's CPU use;</li>
 *   <li>{@code system_memory_usage_megabytes}, {@code system_memory_usage_percentage}: memory in use (total less
 *       available);</li>
 *   <li>{@code disk_usage_megabytes}, {@code disk_usage_percentage}, {@code disk_available_megabytes}: the file system
 *       of {@code /};</li>
 *   <li>{@code network_receive_megabytes}, {@code network_transmit_megabytes}: bytes through every interface since
 *       the run started (Linux).</li>
 * </ul>
 * Megabytes are 10^6 bytes, as MLflow's. A run too short for one interval gets none, as with MLflow.
 */
public final class SystemMetrics implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemMetrics.class);
    /** What a metric name starts with. */
    public static final String PREFIX = "system/";

    /**
     * How often to sample, how many samples each logged point averages, and the node id that distinguishes the
     * machines of a distributed run (null: none).
     */
    public record Settings(Duration samplingInterval, int samplesBeforeLogging, String nodeId) {
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(10), 1, null);

        public Settings {
            if (samplingInterval == null || samplingInterval.toMillis() < 1) {
                throw MlvException.invalid("The system metrics sampling interval must be at least 1 ms");
            }
            if (samplesBeforeLogging < 1) throw MlvException.invalid("System metrics need at least 1 sample before logging");
            if (nodeId != null && (nodeId.isBlank() || nodeId.contains("/"))) {
                throw MlvException.invalid("Invalid system metrics node id '" + nodeId + "': not empty, no '/'");
            }
        }

        /**
         * MLflow's variables (each also with {@code MLV_} instead of {@code MLFLOW_}):
         * {@code MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL} (seconds, default 10),
         * {@code MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING} (default 1), {@code MLFLOW_SYSTEM_METRICS_NODE_ID}.
         */
        public static Settings fromEnvironment(UnaryOperator<String> env) {
            String interval = variable(env, "SYSTEM_METRICS_SAMPLING_INTERVAL");
            String samples = variable(env, "SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING");
            try {
                return new Settings(interval == null ? DEFAULT.samplingInterval()
                        : Duration.ofMillis(Math.round(Double.parseDouble(interval.trim()) * 1000)),
                        samples == null ? DEFAULT.samplesBeforeLogging() : Integer.parseInt(samples.trim()),
                        variable(env, "SYSTEM_METRICS_NODE_ID"));
            } catch (NumberFormatException e) {
                throw MlvException.invalid("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL is a number of seconds and "
                        + "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING a whole number: " + e.getMessage());
            }
        }
    }

    /** True when {@code MLV_ENABLE_SYSTEM_METRICS_LOGGING} or MLflow's {@code MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING} is true. */
    public static boolean enabledIn(UnaryOperator<String> env) {
        String v = variable(env, "ENABLE_SYSTEM_METRICS_LOGGING");
        return v != null && (v.trim().equalsIgnoreCase("true") || v.trim().equals("1"));
    }

    private static String variable(UnaryOperator<String> env, String suffix) {
        String v = env.apply("MLV_" + suffix);
        if (v == null || v.isBlank()) v = env.apply("MLFLOW_" + suffix);
        return v == null || v.isBlank() ? null : v;
    }

    private final ActiveRun run;
    private final Settings settings;
    private final String prefix;
    private final ScheduledExecutorService timer;
    private final long[] networkAtStart;
    private final Map<String, Double> sums = new LinkedHashMap<>();
    private int samples;
    private long step;

    private SystemMetrics(ActiveRun run, Settings settings) {
        this.run = run;
        this.settings = settings;
        this.prefix = PREFIX + (settings.nodeId() == null ? "" : settings.nodeId() + "/");
        this.networkAtStart = networkBytes();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlv-system-metrics-" + run.runId());
            t.setDaemon(true);
            return t;
        });
        long ms = settings.samplingInterval().toMillis();
        timer.scheduleAtFixedRate(this::tick, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts sampling for {@code run}; {@link #close} stops. */
    static SystemMetrics start(ActiveRun run, Settings settings) {
        return new SystemMetrics(run, settings);
    }

    private void tick() {
        try {
            sample().forEach((k, v) -> sums.merge(k, v, Double::sum));
            if (++samples < settings.samplesBeforeLogging()) return;
            Map<String, Double> means = new LinkedHashMap<>();
            int n = samples;
            sums.forEach((k, v) -> means.put(prefix + k, Math.round(v / n * 10) / 10.0));
            sums.clear();
            samples = 0;
            run.logMetrics(means, step++);
        } catch (RuntimeException e) {
            LOG.warn("System metrics of run {} stop: {}", run.runId(), e.getMessage());
            timer.shutdown();
        }
    }

    /** One sample of the machine, by metric name (without the prefix); what this platform cannot tell is left out. */
    Map<String, Double> sample() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            double load = os.getCpuLoad();
            if (load >= 0) m.put("cpu_utilization_percentage", load * 100);
            long[] memory = memory(os);
            if (memory[0] > 0) {
                m.put("system_memory_usage_megabytes", (memory[0] - memory[1]) / 1e6);
                m.put("system_memory_usage_percentage", (memory[0] - memory[1]) * 100.0 / memory[0]);
            }
        }
        try {
            FileStore disk = Files.getFileStore(Path.of("/"));
            long used = disk.getTotalSpace() - disk.getUnallocatedSpace();
            long available = disk.getUsableSpace();
            m.put("disk_usage_megabytes", used / 1e6);
            if (used + available > 0) m.put("disk_usage_percentage", used * 100.0 / (used + available));
            m.put("disk_available_megabytes", available / 1e6);
        } catch (IOException e) {
            // no file system figures on this platform
        }
        long[] net = networkBytes();
        if (net != null && networkAtStart != null) {
            m.put("network_receive_megabytes", Math.max(0, net[0] - networkAtStart[0]) / 1e6);
            m.put("network_transmit_megabytes", Math.max(0, net[1] - networkAtStart[1]) / 1e6);
        }
        return m;
    }

    /** Total and available memory in bytes: Linux's MemAvailable (which counts reclaimable caches), else the JVM's "free". */
    private static long[] memory(com.sun.management.OperatingSystemMXBean os) {
        try {
            long total = 0, available = -1;
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) total = kilobytes(line);
                else if (line.startsWith("MemAvailable:")) available = kilobytes(line);
            }
            if (total > 0 && available >= 0) return new long[]{total, available};
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new long[]{os.getTotalMemorySize(), os.getFreeMemorySize()};
    }

    private static long kilobytes(String meminfoLine) {
        String[] parts = meminfoLine.trim().split("\\s+");
        return Long.parseLong(parts[1]) * 1024;
    }

    /** Bytes received and sent through every interface since boot ({@code /proc/net/dev}), or null where there is none. */
    static long[] networkBytes() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/dev"));
            long rx = 0, tx = 0;
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon < 0) continue;
                String[] f = line.substring(colon + 1).trim().split("\\s+");
                if (f.length < 9) continue;
                rx += Long.parseLong(f[0]);
                tx += Long.parseLong(f[8]);
            }
            return new long[]{rx, tx};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Stops sampling; a sample being logged finishes first. Idempotent. */
    @Override
    public void close() {
        timer.shutdown();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) timer.shutdownNow();
        } catch (InterruptedException e) {
            timer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
