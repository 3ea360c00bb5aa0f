package dev.mlv.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Progress;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.RunStatus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A run in progress. Parameters, tags, inputs and artifacts are sent at once (so a conflicting parameter fails where it
 * is logged); metrics are queued and sent in batches by a background thread (see {@link #logMetric}).
 *
 * <h2>How a run ends</h2>
 * <ul>
 *   <li>{@code client.run("exp", run -> {...})} ends the run FINISHED, or FAILED when the block throws (the exception
 *   is re-thrown). This is the recommended form.</li>
 *   <li>{@code try (ActiveRun run = client.startRun("exp")) {...}}: Java does not show the exception of the block to
 *   {@link #close()}, which ends the run FINISHED unless {@link #fail(Throwable)} or {@link #end(RunStatus)} was
 *   called first. To end FAILED on an exception in this form, catch inside the block:
 *   {@code catch (Exception e) { run.fail(e); throw e; }}.</li>
 *   <li>A run still open when the JVM exits normally is flushed and ended FINISHED by a shutdown hook (as MLflow's
 *   Python client does at exit), so no queued metric is lost.</li>
 * </ul>
 * Every metric logged before {@code close()}/{@code end()} returns has been stored by the server when it returns.
 */
public final class ActiveRun implements AutoCloseable {
    /** Tag set on a run that ended FAILED through {@link #fail(Throwable)}: the exception class and message. */
    public static final String FAILURE_TAG = "mlv.failure";

    private final MlvClient client;
    private final RestClient rest;
    private final String runId;
    private final String experimentId;
    private final String runName;
    private final String artifactUri;
    private final MetricSender metrics;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile SystemMetrics systemMetrics;
    private volatile RunStatus outcome = RunStatus.FINISHED;

    ActiveRun(MlvClient client, String runId, String experimentId, String runName, String artifactUri, int queueCapacity) {
        this.client = client;
        this.rest = client.rest();
        this.runId = runId;
        this.experimentId = experimentId;
        this.runName = runName;
        this.artifactUri = artifactUri;
        this.metrics = new MetricSender(rest, runId, queueCapacity);
        OpenRuns.register(this);
    }

    public String runId() {
        return runId;
    }

    public String experimentId() {
        return experimentId;
    }

    public String runName() {
        return runName;
    }

    /** {@code mlflow-artifacts:/<experiment_id>/<run_id>/artifacts}. */
    public String artifactUri() {
        return artifactUri;
    }

    public MlvClient client() {
        return client;
    }

    // ---- params and tags (sent at once)

    /** Logs a parameter; params are write-once (the same value again is fine, another value is an error). */
    public ActiveRun logParam(String key, String value) {
        checkOpen();
        rest.post("/api/2.0/mlflow/runs/log-parameter",
                RestClient.object().put("run_id", runId).put("key", key).put("value", value));
        return this;
    }

    public ActiveRun logParam(String key, Object value) {
        return logParam(key, String.valueOf(value));
    }

    /** Logs several parameters in log-batch requests of at most 100. */
    public ActiveRun logParams(Map<String, ?> params) {
        checkOpen();
        List<Map.Entry<String, ?>> entries = new ArrayList<>(params.entrySet());
        for (int i = 0; i < entries.size(); i += 100) {
            ObjectNode body = RestClient.object().put("run_id", runId);
            ArrayNode ps = body.putArray("params");
            for (var e : entries.subList(i, Math.min(entries.size(), i + 100))) {
                ps.addObject().put("key", e.getKey()).put("value", String.valueOf(e.getValue()));
            }
            rest.post("/api/2.0/mlflow/runs/log-batch", body);
        }
        return this;
    }

    public ActiveRun setTag(String key, String value) {
        checkOpen();
        rest.post("/api/2.0/mlflow/runs/set-tag",
                RestClient.object().put("run_id", runId).put("key", key).put("value", value));
        return this;
    }

    /** Sets several tags in log-batch requests of at most 100. */
    public ActiveRun setTags(Map<String, String> tags) {
        checkOpen();
        List<Map.Entry<String, String>> entries = new ArrayList<>(tags.entrySet());
        for (int i = 0; i < entries.size(); i += 100) {
            ObjectNode body = RestClient.object().put("run_id", runId);
            ArrayNode ts = body.putArray("tags");
            for (var e : entries.subList(i, Math.min(entries.size(), i + 100))) {
                ts.addObject().put("key", e.getKey()).put("value", e.getValue());
            }
            rest.post("/api/2.0/mlflow/runs/log-batch", body);
        }
        return this;
    }

    // ---- metrics (queued, sent in the background)

    /** Logs a metric at step 0. */
    public ActiveRun logMetric(String key, double value) {
        return logMetric(key, value, 0);
    }

    /**
     * Queues a metric point (timestamped now) for the background sender; blocks only while the bounded queue is full.
     * An error the server gave for an earlier batch is thrown here or by {@link #flush()}/{@link #close()}.
     */
    public ActiveRun logMetric(String key, double value, long step) {
        if (key == null || key.isBlank()) throw MlvException.invalid("Metric key must not be empty");
        metrics.add(new Metric(key, value, System.currentTimeMillis(), step));
        return this;
    }

    /** Queues several metrics at one step. */
    public ActiveRun logMetrics(Map<String, ? extends Number> values, long step) {
        long now = System.currentTimeMillis();
        for (var e : values.entrySet()) metrics.add(new Metric(e.getKey(), e.getValue().doubleValue(), now, step));
        return this;
    }

    /** Starts logging system metrics while the run is open (see {@link MlvClient#logSystemMetrics}). */
    void startSystemMetrics(SystemMetrics.Settings settings) {
        systemMetrics = SystemMetrics.start(this, settings);
    }

    /** Waits until every metric queued so far is stored by the server. */
    public ActiveRun flush() {
        metrics.flush();
        return this;
    }

    // ---- datasets

    /** Records a dataset this run read (MLflow's {@code runs/log-inputs}). */
    public ActiveRun logInput(DatasetRef dataset) {
        return logInputs(List.of(dataset));
    }

    public ActiveRun logInputs(List<DatasetRef> datasets) {
        checkOpen();
        ObjectNode body = RestClient.object().put("run_id", runId);
        ArrayNode inputs = body.putArray("datasets");
        for (DatasetRef d : datasets) inputs.add(d.toDatasetInputJson());
        rest.post("/api/2.0/mlflow/runs/log-inputs", body);
        return this;
    }

    // ---- artifacts

    /** Uploads a file to the root of the run's artifacts, under its own name. */
    public ActiveRun logArtifact(Path file) {
        return logArtifact(file, null);
    }

    /** Uploads a file into the artifact folder {@code artifactPath} (null or "" for the root), as MLflow does. */
    public ActiveRun logArtifact(Path file, String artifactPath) {
        checkOpen();
        client.uploadFile(location(), file, artifactPath, Progress.SILENT);
        return this;
    }

    /** Uploads the files of a directory tree to the root of the run's artifacts. */
    public ActiveRun logArtifacts(Path dir) {
        return logArtifacts(dir, null);
    }

    /** Uploads the files of a directory tree into the artifact folder {@code artifactPath}, keeping relative paths. */
    public ActiveRun logArtifacts(Path dir, String artifactPath) {
        checkOpen();
        client.uploadTree(location(), dir, artifactPath, Progress.SILENT);
        return this;
    }

    /** Logs an ONNX model in MLflow's layout under {@code artifactPath}; see {@link dev.mlv.client.model.ModelLogger}. */
    public dev.mlv.client.model.LoggedModel logModel(String artifactPath, dev.mlv.client.model.OnnxModel model) {
        checkOpen();
        return dev.mlv.client.model.ModelLogger.log(this, artifactPath, model);
    }

    /** Uploads text as the artifact {@code artifactFile} (a relative path such as {@code notes/summary.txt}). */
    public ActiveRun logText(String text, String artifactFile) {
        checkOpen();
        ArtifactPath target = ArtifactPath.parse(artifactFile);
        if (target.isRoot()) throw MlvException.invalid("Artifact file name must not be empty");
        rest.putBytes(location().url(target), text.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
        return this;
    }

    // ---- checkpoints

    /**
     * Stores a checkpoint: uploads {@code files} under {@code checkpoints/epoch-<epoch>/}, then (last) a
     * {@code checkpoint.json} with the epoch, step (= epoch), metrics, each file's SHA-256 and size, and the time; and
     * logs {@code metrics} at step = epoch. File names must be distinct.
     */
    public Checkpoint logCheckpoint(int epoch, Map<String, Double> metricValues, Path... files) {
        checkOpen();
        if (epoch < 0) throw MlvException.invalid("Checkpoint epoch must be >= 0, got " + epoch);
        ArtifactPath dir = ArtifactPath.parse(Checkpoint.directory(epoch));
        Set<String> names = new HashSet<>();
        List<Checkpoint.File> entries = new ArrayList<>();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw MlvException.invalid("Checkpoint file is not a file: " + f);
            String name = f.getFileName().toString();
            ArtifactPath.parse(name);
            if (name.equals(Checkpoint.MANIFEST) || !names.add(name)) {
                throw MlvException.invalid("Checkpoint file names must be distinct and not " + Checkpoint.MANIFEST + ": " + name);
            }
            entries.add(new Checkpoint.File(name, sha256(f), size(f)));
        }
        for (Path f : files) client.uploader().upload(location(), dir.resolve(f.getFileName().toString()), f);
        Checkpoint cp = new Checkpoint(runId, epoch, epoch, metricValues, entries, System.currentTimeMillis());
        byte[] json = cp.toJson().toPrettyString().getBytes(StandardCharsets.UTF_8);
        rest.putBytes(location().url(dir.resolve(Checkpoint.MANIFEST)), json, "application/json");
        logMetrics(metricValues, epoch);
        return cp;
    }

    // ---- ending

    /** Marks the run as failed: {@link #close()} will end it FAILED, with the {@value #FAILURE_TAG} tag. */
    public ActiveRun fail(Throwable cause) {
        outcome = RunStatus.FAILED;
        if (cause != null && !ended.get()) {
            String msg = cause.getClass().getName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            try {
                setTag(FAILURE_TAG, msg.length() > 1000 ? msg.substring(0, 1000) : msg);
            } catch (RuntimeException e) {
                if (cause != e) cause.addSuppressed(e);
            }
        }
        return this;
    }

    /** Marks the run as failed without a cause. */
    public ActiveRun fail() {
        return fail(null);
    }

    /** Flushes metrics and ends the run now with {@code status} (FINISHED, FAILED or KILLED); later calls do nothing. */
    public void end(RunStatus status) {
        if (!status.terminal()) throw MlvException.invalid("A run ends FINISHED, FAILED or KILLED, not " + status);
        if (!ended.compareAndSet(false, true)) return;
        RuntimeException flushError = null;
        if (systemMetrics != null) systemMetrics.close(); // its last point is queued before the queue closes
        try {
            metrics.close();
        } catch (RuntimeException e) {
            flushError = e;
        }
        try {
            rest.post("/api/2.0/mlflow/runs/update", RestClient.object().put("run_id", runId)
                    .put("status", status.name()).put("end_time", System.currentTimeMillis()));
        } catch (RuntimeException e) {
            if (flushError != null) e.addSuppressed(flushError);
            throw e;
        } finally {
            OpenRuns.unregister(this);
        }
        if (flushError != null) throw flushError;
    }

    /** Ends the run FINISHED, or FAILED if {@link #fail} was called; flushes queued metrics first. Idempotent. */
    @Override
    public void close() {
        end(outcome);
    }

    public boolean isEnded() {
        return ended.get();
    }

    private void checkOpen() {
        if (ended.get()) throw new MlvException(ErrorCode.INVALID_STATE, "Run " + runId + " has already ended");
    }

    private ArtifactLocation location() {
        return ArtifactLocation.of(artifactUri);
    }

    static String sha256(Path f) {
        try (InputStream in = Files.newInputStream(f)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + f, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long size(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
