package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.client.env.Environment;
import dev.mlv.client.env.GitInfo;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Progress;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelVersion;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.ViewType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java client of an mlv (or MLflow) tracking server, for training code:
 *
 * <pre>{@code
 * MlvClient client = MlvClient.connect();            // MLV_TRACKING_URI, MLFLOW_TRACKING_URI, http://127.0.0.1:5000
 * client.run("fraud-detection", run -> {             // ends FINISHED, or FAILED if the block throws
 *     run.logParam("lr", 0.01);
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         run.logMetric("loss", train(epoch), epoch);  // batched and sent in the background
 *     }
 *     run.logArtifact(Path.of("model.onnx"));
 * });
 * }</pre>
 *
 * Each run gets MLflow's system tags ({@code mlflow.user}, {@code mlflow.source.name}, {@code mlflow.source.type},
 * {@code mlflow.source.git.commit}, {@code mlflow.runName}) and, unless {@link #captureEnvironment(boolean)} turns it
 * off, the artifact {@value Environment#ARTIFACT_NAME} describing the JVM, OS, git state and dependencies.
 * Thread-safe.
 */
public final class MlvClient {
    private static final Logger LOG = LoggerFactory.getLogger(MlvClient.class);
    public static final String TAG_USER = "mlflow.user";
    public static final String TAG_SOURCE_NAME = "mlflow.source.name";
    public static final String TAG_SOURCE_TYPE = "mlflow.source.type";
    public static final String TAG_GIT_COMMIT = "mlflow.source.git.commit";
    public static final String TAG_GIT_BRANCH = "mlflow.source.git.branch";
    public static final String TAG_RUN_NAME = "mlflow.runName";
    /** mlv's tag: "true" when tracked files had uncommitted changes at the start of the run. */
    public static final String TAG_GIT_DIRTY = "mlv.source.git.dirty";
    /** Results asked for per page when a search follows every page. */
    static final int SEARCH_PAGE = 1000;
    /** How many metrics a run may queue before {@code logMetric} blocks. */
    public static final int DEFAULT_METRIC_QUEUE = MetricSender.DEFAULT_CAPACITY;

    private final RestClient rest;
    private volatile boolean captureEnvironment = true;
    /** How new runs log system metrics; null: they do not. */
    private volatile SystemMetrics.Settings systemMetrics;
    private volatile Environment environment;

    private volatile ArtifactUploader uploader;

    /**
     * Every request names the acting user ({@code MLV_USER}, else the OS user) in header {@value RestClient#USER_HEADER}, as the CLI
     * does: a server without authentication records it in the registry's history and audit log; a server with
     * authentication records the authenticated user instead.
     */
    private MlvClient(RestClient rest) {
        this.rest = rest.withUser(user());
        this.uploader = new ArtifactUploader(rest, ArtifactUploader.Settings.fromEnvironment(System::getenv));
        if (SystemMetrics.enabledIn(System::getenv)) this.systemMetrics = SystemMetrics.Settings.fromEnvironment(System::getenv);
    }

    /** A client for {@code MLV_TRACKING_URI}, else {@code MLFLOW_TRACKING_URI}, else {@code http://127.0.0.1:5000}. */
    public static MlvClient connect() {
        return new MlvClient(RestClient.fromEnv());
    }

    /** A client for the server at {@code trackingUri} ({@code http(s)://host:port}). */
    public static MlvClient connect(String trackingUri) {
        return new MlvClient(new RestClient(trackingUri));
    }

    /** A client for a server that requires authentication ({@code mlv server --auth} or {@code --auth-file}), as {@code user}. */
    public static MlvClient connect(String trackingUri, String user, String password) {
        return new MlvClient(new RestClient(trackingUri).withBasicAuth(user, password));
    }

    public String trackingUri() {
        return rest.baseUrl();
    }

    /** The server's model registry: register, aliases, stages, gated promotion, rollback. */
    public ModelRegistry registry() {
        return new ModelRegistry(rest);
    }

    /**
     * A new version of registered model {@code name} from {@code source} (e.g. {@code runs:/<run_id>/model}), creating
     * the registered model if needed: MLflow's {@code mlflow.register_model}. See {@link ModelRegistry#register}.
     */
    public ModelVersion registerModel(String name, String source) {
        return registry().register(name, source);
    }

    /** The underlying JSON-over-HTTP client, for calls this class does not wrap. */
    public RestClient rest() {
        return rest;
    }

    /**
     * Uploads artifact files of at least {@code minimumFileSize} bytes as multipart uploads whose parts of
     * {@code partSize} bytes go straight to the server's storage (S3), as MLflow's clients do with
     * {@code MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true} (which this client reads too, with
     * {@code MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE} and {@code MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE}). A server that
     * stores artifacts as local files gets a plain upload.
     */
    public MlvClient multipartUploads(long minimumFileSize, long partSize) {
        if (minimumFileSize < 0 || partSize < 1) throw MlvException.invalid("Multipart upload sizes must be positive");
        this.uploader = new ArtifactUploader(rest, new ArtifactUploader.Settings(true, minimumFileSize, partSize));
        return this;
    }

    ArtifactUploader uploader() {
        return uploader;
    }

    /** Whether new runs store {@value Environment#ARTIFACT_NAME} (default: yes). */
    public MlvClient captureEnvironment(boolean capture) {
        this.captureEnvironment = capture;
        return this;
    }

    /**
     * Whether new runs log MLflow's system metrics ({@code system/cpu_utilization_percentage}, memory, disk, network;
     * see {@link SystemMetrics}) while they are open, with the sampling settings of the environment
     * ({@code MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL}, ...). Default: what {@code MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING}
     * (or {@code MLV_ENABLE_SYSTEM_METRICS_LOGGING}) says, else no, as MLflow's {@code log_system_metrics}.
     */
    public MlvClient logSystemMetrics(boolean log) {
        return logSystemMetrics(log ? SystemMetrics.Settings.fromEnvironment(System::getenv) : null);
    }

    /** New runs log system metrics with {@code settings} (null: they do not). */
    public MlvClient logSystemMetrics(SystemMetrics.Settings settings) {
        this.systemMetrics = settings;
        return this;
    }

    /** The environment of this process, captured once. */
    public Environment environment() {
        Environment e = environment;
        if (e == null) environment = e = Environment.capture();
        return e;
    }

    // ---- experiments

    /** The experiment named {@code name}, if it exists. */
    public Optional<Experiment> getExperimentByName(String name) {
        try {
            JsonNode r = rest.get("/api/2.0/mlflow/experiments/get-by-name", Map.of("experiment_name", name));
            return Optional.of(TrackingJson.experiment(r.path("experiment")));
        } catch (MlvException e) {
            if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return Optional.empty();
            throw e;
        }
    }

    public Experiment getExperiment(String experimentId) {
        JsonNode r = rest.get("/api/2.0/mlflow/experiments/get", Map.of("experiment_id", experimentId));
        return TrackingJson.experiment(r.path("experiment"));
    }

    /** Creates an experiment and returns its id; an existing name is {@code RESOURCE_ALREADY_EXISTS}. */
    public String createExperiment(String name) {
        return rest.post("/api/2.0/mlflow/experiments/create", RestClient.object().put("name", name))
                .path("experiment_id").asText();
    }

    /** The id of the experiment named {@code name}, created when missing (safe when several processes race). */
    public String getOrCreateExperiment(String name) {
        if (name == null || name.isBlank()) throw MlvException.invalid("Experiment name must not be empty");
        Optional<Experiment> existing = getExperimentByName(name);
        if (existing.isPresent()) return existing.get().experimentId();
        try {
            return createExperiment(name);
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
            return getExperimentByName(name).orElseThrow(() -> e).experimentId();
        }
    }

    /** Every experiment in {@code view} (all pages), as MLflow's {@code experiments/search} orders them. */
    public List<Experiment> searchExperiments(ViewType view) {
        return everyPage("experiments", TrackingJson::experiment, token -> rest.post("/api/2.0/mlflow/experiments/search",
                withToken(RestClient.object().put("max_results", SEARCH_PAGE).put("view_type", view.name()), token)));
    }

    // ---- runs

    /**
     * Every run in {@code view} of the given experiments (of every experiment in {@code view} when the list is empty)
     * that matches MLflow's search {@code filter} (null for all), newest first, all pages. For example
     * {@code searchRuns("datasets.digest = '" + ref.digest() + "'", List.of(), ViewType.ACTIVE_ONLY)} finds every run
     * that read a dataset version, and {@code "metrics.accuracy > 0.9 and params.optimizer = 'adam'"} filters as
     * MLflow does.
     */
    public List<Run> searchRuns(String filter, List<String> experimentIds, ViewType view) {
        List<String> ids = experimentIds.isEmpty()
                ? searchExperiments(view).stream().map(Experiment::experimentId).toList() : experimentIds;
        if (ids.isEmpty()) return List.of();
        return everyPage("runs", TrackingJson::run, token -> {
            ObjectNode body = RestClient.object().put("max_results", SEARCH_PAGE).put("run_view_type", view.name());
            ids.forEach(body.putArray("experiment_ids")::add);
            if (filter != null && !filter.isBlank()) body.put("filter", filter);
            return rest.post("/api/2.0/mlflow/runs/search", withToken(body, token));
        });
    }

    /** Starts a run in the experiment named {@code experimentName} (created when missing); close it when done. */
    public ActiveRun startRun(String experimentName) {
        return startRun(experimentName, null, Map.of());
    }

    public ActiveRun startRun(String experimentName, String runName) {
        return startRun(experimentName, runName, Map.of());
    }

    /** Starts a named run (null: the server picks a name) with extra tags, after the system tags. */
    public ActiveRun startRun(String experimentName, String runName, Map<String, String> tags) {
        return startRunInExperiment(getOrCreateExperiment(experimentName), runName, tags);
    }

    /** Starts a run in the experiment with id {@code experimentId}. */
    public ActiveRun startRunInExperiment(String experimentId, String runName, Map<String, String> tags) {
        Map<String, String> all = systemTags(runName);
        all.putAll(tags);
        ObjectNode body = RestClient.object().put("experiment_id", experimentId)
                .put("user_id", all.get(TAG_USER)).put("start_time", System.currentTimeMillis());
        if (runName != null) body.put("run_name", runName);
        ArrayNode ts = body.putArray("tags");
        all.forEach((k, v) -> ts.addObject().put("key", k).put("value", v));
        JsonNode info = rest.post("/api/2.0/mlflow/runs/create", body).path("run").path("info");
        String runId = info.hasNonNull("run_id") ? info.get("run_id").asText() : info.path("run_uuid").asText();
        ActiveRun run = new ActiveRun(this, runId, info.path("experiment_id").asText(experimentId),
                info.path("run_name").asText(runName), info.path("artifact_uri").asText(), DEFAULT_METRIC_QUEUE);
        if (captureEnvironment) storeEnvironment(run);
        SystemMetrics.Settings system = systemMetrics;
        if (system != null) run.startSystemMetrics(system);
        return run;
    }

    /**
     * Runs {@code body} in a new run of {@code experimentName}: the run ends FINISHED when the body returns, FAILED
     * (with the tag {@value ActiveRun#FAILURE_TAG}) when it throws, and the exception is re-thrown. Returns the run id.
     */
    public <E extends Exception> String run(String experimentName, RunBody<E> body) throws E {
        return call(experimentName, run -> {
            body.accept(run);
            return run.runId();
        });
    }

    /** Like {@link #run}, returning what {@code body} returns. */
    public <T, E extends Exception> T call(String experimentName, RunFunction<T, E> body) throws E {
        try (ActiveRun run = startRun(experimentName)) {
            try {
                return body.apply(run);
            } catch (Throwable t) {
                run.fail(t);
                throw t;
            }
        }
    }

    public Run getRun(String runId) {
        return TrackingJson.run(rest.get("/api/2.0/mlflow/runs/get", Map.of("run_id", runId)).path("run"));
    }

    /** Every point of a metric's history, in the server's order (by step, then timestamp). */
    public List<Metric> metricHistory(String runId, String key) {
        return everyPage("metrics", TrackingJson::metric, token -> {
            Map<String, Object> q = new HashMap<>(Map.of("run_id", runId, "metric_key", key, "max_results", 25000));
            q.put("page_token", token);
            return rest.get("/api/2.0/mlflow/metrics/get-history", q);
        });
    }

    // ---- artifacts

    /** The entries directly under {@code path} ("" for the root) of a run's artifacts, every page of them. */
    public List<FileInfo> listArtifacts(String runId, String path) {
        String p = ArtifactPath.parse(path).toString();
        return everyPage("files", TrackingJson::fileInfo, token -> {
            Map<String, Object> q = new HashMap<>();
            q.put("run_id", runId);
            if (!p.isEmpty()) q.put("path", p);
            q.put("page_token", token);
            return rest.get("/api/2.0/mlflow/artifacts/list", q);
        });
    }

    /** Downloads one artifact file of a run to {@code target} (atomically). */
    public Path downloadArtifact(String runId, String path, Path target) {
        rest.download(artifactUrl(getRun(runId).info().artifactUri(), path), target);
        return target;
    }

    /**
     * Downloads a run's artifact {@code path} ("" or null: all of them) into the directory {@code dst}, as MLflow's
     * {@code download_artifacts}: a file lands as {@code dst/<its name>}, a folder as {@code dst/<its name>/…} (the
     * root's files straight in {@code dst}). Each file is written atomically; a name the server lists must lie in the
     * folder asked for and lands through {@link ArtifactPath#resolveUnder}, so none leaves {@code dst}. Returns the
     * local file or folder.
     */
    public Path downloadArtifacts(String runId, String path, Path dst) {
        return downloadArtifacts(runId, path, dst, Progress.SILENT);
    }

    /** {@link #downloadArtifacts(String, String, Path)}, with one progress task over the bytes of every file. */
    public Path downloadArtifacts(String runId, String path, Path dst, Progress progress) {
        ArtifactPath p = ArtifactPath.parse(path);
        ArtifactLocation loc = ArtifactLocation.of(getRun(runId).info().artifactUri());
        Path local = p.isRoot() ? dst : dst.resolve(p.name());
        List<FileInfo> children = listArtifacts(runId, p.toString());
        boolean isFile = !p.isRoot() && (children.isEmpty() // MLflow lists a file as itself, a missing path as nothing
                || children.size() == 1 && !children.get(0).isDir() && children.get(0).path().equals(p.toString()));
        Map<ArtifactPath, Path> files = new LinkedHashMap<>();
        long total = 0;
        if (isFile) {
            files.put(p, local);
            if (children.size() == 1 && children.get(0).fileSize() != null) total = children.get(0).fileSize();
        } else {
            try {
                Files.createDirectories(local);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create " + local, e);
            }
            total = collect(runId, p, children, local, files);
        }
        try (Progress.Task t = progress.start("downloading " + files.size() + " file(s)", total, true)) {
            for (var f : files.entrySet()) rest.download(loc.url(f.getKey()), f.getValue(), t::advance);
        }
        return local;
    }

    /** Adds the files listed under {@code folder} (recursively) with their local paths under {@code local}; returns their bytes. */
    private long collect(String runId, ArtifactPath folder, List<FileInfo> children, Path local, Map<ArtifactPath, Path> files) {
        long bytes = 0;
        for (FileInfo f : children) {
            ArtifactPath child = ArtifactPath.parse(f.path());
            if (!child.startsWith(folder) || child.equals(folder)) {
                throw MlvException.invalid("The server listed '" + f.path() + "' in '" + folder + "'");
            }
            if (f.isDir()) {
                bytes += collect(runId, folder, listArtifacts(runId, child.toString()), local, files);
            } else {
                files.put(child, child.relativize(folder).resolveUnder(local));
                if (f.fileSize() != null) bytes += f.fileSize();
            }
        }
        return bytes;
    }

    /** Uploads a file into the artifact folder {@code artifactPath} (null or "" for the root) of an existing run. */
    public void logArtifact(String runId, Path file, String artifactPath) {
        logArtifact(runId, file, artifactPath, Progress.SILENT);
    }

    /** {@link #logArtifact(String, Path, String)}, reporting the bytes sent to {@code progress}. */
    public void logArtifact(String runId, Path file, String artifactPath, Progress progress) {
        uploadFile(ArtifactLocation.of(getRun(runId).info().artifactUri()), file, artifactPath, progress);
    }

    /** Uploads a directory tree's files into the artifact folder {@code artifactPath} of an existing run, keeping relative paths. */
    public void logArtifacts(String runId, Path dir, String artifactPath) {
        logArtifacts(runId, dir, artifactPath, Progress.SILENT);
    }

    /** {@link #logArtifacts(String, Path, String)}, reporting the bytes sent to {@code progress}. */
    public void logArtifacts(String runId, Path dir, String artifactPath, Progress progress) {
        uploadTree(ArtifactLocation.of(getRun(runId).info().artifactUri()), dir, artifactPath, progress);
    }

    void uploadFile(ArtifactLocation location, Path file, String artifactPath, Progress progress) {
        if (!Files.isRegularFile(file)) throw MlvException.invalid("Not a file: " + file);
        upload(location, Map.of(ArtifactPath.parse(artifactPath).resolve(file.getFileName().toString()), file), progress);
    }

    void uploadTree(ArtifactLocation location, Path dir, String artifactPath, Progress progress) {
        if (!Files.isDirectory(dir)) throw MlvException.invalid("Not a directory: " + dir);
        ArtifactPath base = ArtifactPath.parse(artifactPath);
        Map<ArtifactPath, Path> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
                files.put(base.resolve(dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/")), f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + dir, e);
        }
        upload(location, files, progress);
    }

    /** Uploads each file to its artifact path, one progress task over the bytes of them all. */
    private void upload(ArtifactLocation location, Map<ArtifactPath, Path> files, Progress progress) {
        long total = 0;
        for (Path f : files.values()) {
            try {
                total += Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + f, e);
            }
        }
        try (Progress.Task t = progress.start("uploading " + files.size() + " file(s)", total, true)) {
            // nobody watching: no byte counting, so the upload keeps the JDK's file body
            LongConsumer sent = progress == Progress.SILENT ? null : t::advance;
            for (var f : files.entrySet()) uploader().upload(location, f.getKey(), f.getValue(), sent);
        }
    }

    /** Opens one artifact file of a run as a stream; the caller closes it. */
    public InputStream openArtifact(String runId, String path) {
        return rest.openStream(artifactUrl(getRun(runId).info().artifactUri(), path));
    }

    private static String artifactUrl(String artifactUri, String path) {
        ArtifactPath p = ArtifactPath.parse(path);
        if (p.isRoot()) throw MlvException.invalid("Artifact path must name a file");
        return ArtifactLocation.of(artifactUri).url(p);
    }

    // ---- checkpoints

    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{1,9})");

    /** Every complete checkpoint of a run (one with its {@code checkpoint.json}), by epoch. */
    public List<Checkpoint> checkpoints(String runId) {
        String artifactUri = getRun(runId).info().artifactUri();
        List<Checkpoint> result = new ArrayList<>();
        for (int epoch : checkpointEpochs(runId)) readCheckpoint(artifactUri, epoch).ifPresent(result::add);
        result.sort(Comparator.comparingInt(Checkpoint::epoch));
        return result;
    }

    /** The complete checkpoint with the highest epoch, for resuming training; empty when the run has none. */
    public Optional<Checkpoint> latestCheckpoint(String runId) {
        String artifactUri = getRun(runId).info().artifactUri();
        List<Integer> epochs = checkpointEpochs(runId);
        epochs.sort(Comparator.reverseOrder());
        for (int epoch : epochs) {
            Optional<Checkpoint> cp = readCheckpoint(artifactUri, epoch);
            if (cp.isPresent()) return cp;
        }
        return Optional.empty();
    }

    /**
     * Downloads a checkpoint's files into {@code dir} (created if needed), verifying each file's size and SHA-256;
     * a mismatch deletes the file and throws. Returns {@code dir}.
     */
    public Path downloadCheckpoint(Checkpoint checkpoint, Path dir) {
        String artifactUri = getRun(checkpoint.runId()).info().artifactUri();
        ArtifactLocation loc = ArtifactLocation.of(artifactUri);
        ArtifactPath base = ArtifactPath.parse(checkpoint.artifactDirectory());
        try {
            Files.createDirectories(dir);
            for (Checkpoint.File f : checkpoint.files()) {
                ArtifactPath name = ArtifactPath.parse(f.path());
                Path target = name.resolveUnder(dir);
                downloadVerified(loc.url(base.resolve(name)), target, f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot download checkpoint to " + dir, e);
        }
        return dir;
    }

    private void downloadVerified(String url, Path target, Checkpoint.File expected) throws IOException {
        Files.createDirectories(target.toAbsolutePath().getParent());
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".part");
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long size;
            try (InputStream in = rest.openStream(url);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                size = in.transferTo(out);
            }
            String digest = HexFormat.of().formatHex(md.digest());
            if (size != expected.size() || !digest.equals(expected.sha256())) {
                throw new MlvException(ErrorCode.INVALID_STATE, "Checkpoint file " + expected.path() + " is corrupt: "
                        + "expected " + expected.size() + " bytes with sha256 " + expected.sha256() + ", got " + size
                        + " bytes with sha256 " + digest);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private List<Integer> checkpointEpochs(String runId) {
        List<Integer> epochs = new ArrayList<>();
        List<FileInfo> entries;
        try {
            entries = listArtifacts(runId, Checkpoint.DIRECTORY);
        } catch (MlvException e) {
            if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return epochs;
            throw e;
        }
        for (FileInfo f : entries) {
            if (!f.isDir()) continue;
            String name = f.path().substring(f.path().lastIndexOf('/') + 1);
            Matcher m = EPOCH_DIR.matcher(name);
            if (m.matches()) epochs.add(Integer.parseInt(m.group(1)));
        }
        return epochs;
    }

    private Optional<Checkpoint> readCheckpoint(String artifactUri, int epoch) {
        String url = artifactUrl(artifactUri, Checkpoint.directory(epoch) + "/" + Checkpoint.MANIFEST);
        try (InputStream in = rest.openStream(url)) {
            return Optional.of(Checkpoint.fromJson(RestClient.json().readTree(in)));
        } catch (MlvException e) {
            if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return Optional.empty();
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read checkpoint " + epoch, e);
        }
    }

    // ---- system tags and environment

    /** MLflow's system tags for a run started by this process. */
    Map<String, String> systemTags(String runName) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_USER, user());
        tags.put(TAG_SOURCE_NAME, sourceName());
        tags.put(TAG_SOURCE_TYPE, "LOCAL");
        Optional<GitInfo> git = captureEnvironment && environment != null ? Optional.ofNullable(environment.git())
                : GitInfo.find(Path.of("").toAbsolutePath(), false);
        git.ifPresent(g -> {
            tags.put(TAG_GIT_COMMIT, g.commit());
            if (g.branch() != null) tags.put(TAG_GIT_BRANCH, g.branch());
            if (g.dirty() != null) tags.put(TAG_GIT_DIRTY, g.dirty().toString());
        });
        if (runName != null) tags.put(TAG_RUN_NAME, runName);
        return tags;
    }

    /**
     * The {@code field} items of every page: {@code request} asks for the page of a {@code page_token} (null for the
     * first: left out of the request), until an answer has no {@code next_page_token}.
     */
    static <T> List<T> everyPage(String field, Function<JsonNode, T> read, Function<String, JsonNode> request) {
        List<T> all = new ArrayList<>();
        String token = null;
        do {
            JsonNode r = request.apply(token);
            for (JsonNode item : r.path(field)) all.add(read.apply(item));
            token = r.path("next_page_token").asText("");
        } while (!token.isEmpty());
        return all;
    }

    private static ObjectNode withToken(ObjectNode body, String pageToken) {
        return pageToken == null ? body : body.put("page_token", pageToken);
    }

    /** {@code MLV_USER}, else the OS user: who this process acts as. */
    public static String user() {
        String u = System.getenv("MLV_USER");
        return u != null && !u.isBlank() ? u.trim() : System.getProperty("user.name", "unknown");
    }

    /** The main class or jar this JVM was started with (MLflow puts the script's path here). */
    static String sourceName() {
        String cmd = System.getProperty("sun.java.command");
        if (cmd == null || cmd.isBlank()) return "java";
        return cmd.trim().split("\\s+")[0];
    }

    private void storeEnvironment(ActiveRun run) {
        try {
            Environment env = environment();
            run.logText(env.toJson().toPrettyString(), Environment.ARTIFACT_NAME);
            if (env.git() != null && env.git().dirty() != null) run.setTag(TAG_GIT_DIRTY, env.git().dirty().toString());
        } catch (RuntimeException e) {
            LOG.warn("Could not store {} for run {}: {}", Environment.ARTIFACT_NAME, run.runId(), e.getMessage());
        }
    }
}
