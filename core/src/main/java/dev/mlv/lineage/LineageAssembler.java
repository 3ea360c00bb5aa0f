package dev.mlv.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelUri;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.RegistryStore;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingStore;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Assembles the lineage of a model version from the stores: the version → its run → the run's datasets (with
 * digests), code commit, params, latest metrics, environment and checkpoints.
 *
 * <p>Where things are looked up:
 * <ul>
 *   <li>code: MLflow's system tags ({@link CodeRef});</li>
 *   <li>environment: the run's {@code environment.json} artifact (an object) when present, merged with run tags under
 *       {@value #ENV_TAG_PREFIX} (prefix stripped), e.g. {@code mlv.env.java.version};</li>
 *   <li>checkpoints: artifact folders {@code checkpoints/epoch-<n>/} of the run, each with its
 *       {@code checkpoint.json} (written last by the client; a folder without it is an incomplete checkpoint and
 *       listed with null details), ordered by epoch.</li>
 * </ul>
 * Artifacts are read only for runs whose artifact URI is served by this artifact store
 * ({@code mlflow-artifacts:/…} or a location under the store's own URI); otherwise the lineage says so in a note.
 * A missing run or unreadable artifact never fails the whole lineage; it becomes a note.
 */
public final class LineageAssembler {
    public static final String ENV_TAG_PREFIX = "mlv.env.";
    public static final String ENVIRONMENT_ARTIFACT = "environment.json";
    public static final String CHECKPOINTS_DIR = "checkpoints";
    public static final String CHECKPOINT_FILE = "checkpoint.json";
    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{1,18})");
    /** Small JSON files only: a checkpoint or environment description is a few KB. */
    private static final int MAX_JSON_BYTES = 1 << 20;
    private static final int MAX_CHECKPOINTS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryStore registry;
    private final TrackingStore tracking;
    private final ArtifactStore artifacts;
    private final ModelUriResolver resolver;

    public LineageAssembler(RegistryStore registry, TrackingStore tracking, ArtifactStore artifacts,
                            ModelUriResolver resolver) {
        this.registry = registry;
        this.tracking = tracking;
        this.artifacts = artifacts;
        this.resolver = resolver;
    }

    /**
     * The lineage of the version a {@code models:/} URI names. {@code INVALID_PARAMETER_VALUE} for a malformed URI
     * or a {@code runs:/} URI (which names no version); {@code RESOURCE_DOES_NOT_EXIST} when nothing matches.
     */
    public ModelLineage assemble(String modelUri) {
        return assemble(resolver.version(ModelUri.parse(modelUri)));
    }

    /** The lineage of {@code version}; never fails for a missing run or artifact (see the notes). */
    public ModelLineage assemble(ModelVersion version) {
        List<String> notes = new ArrayList<>();
        List<ModelFile> files = registry.getModelVersionFiles(version.name(), version.version());
        if (version.runId() == null || version.runId().isBlank()) {
            notes.add("Version " + version.version() + " of '" + version.name() + "' was registered without a run id");
            return new ModelLineage(version, files, null, notes);
        }
        Run run;
        try {
            run = tracking.getRun(version.runId());
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_DOES_NOT_EXIST) throw e;
            notes.add("Run " + version.runId() + " no longer exists");
            return new ModelLineage(version, files, null, notes);
        }
        return new ModelLineage(version, files, runLineage(run, notes), notes);
    }

    private RunLineage runLineage(Run run, List<String> notes) {
        Map<String, Double> metrics = new TreeMap<>();
        for (Metric m : run.latestMetrics()) metrics.put(m.key(), m.value());
        Map<String, String> params = new TreeMap<>();
        for (Param p : run.params()) params.put(p.key(), p.value());
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag t : run.tags()) tags.put(t.key(), t.value());
        List<DatasetRef> datasets = new ArrayList<>();
        for (DatasetInput in : run.inputs()) {
            String context = null;
            for (Tag t : in.tags()) if (t.key().equals(DatasetInput.CONTEXT_TAG)) context = t.value();
            var d = in.dataset();
            datasets.add(new DatasetRef(d.name(), d.digest(), d.sourceType(), d.source(), context));
        }
        String dirty = tags.get(CodeRef.GIT_DIRTY);
        CodeRef code = new CodeRef(tags.get(CodeRef.GIT_COMMIT), tags.get(CodeRef.GIT_REPO), tags.get(CodeRef.GIT_BRANCH),
                dirty == null ? null : Boolean.valueOf(dirty), tags.get(CodeRef.SOURCE_NAME), tags.get(CodeRef.SOURCE_TYPE));

        Optional<ArtifactPath> root = artifacts.pathOf(run.info().artifactUri());
        if (root.isEmpty()) {
            notes.add("Artifacts of run " + run.info().runId() + " live at " + run.info().artifactUri()
                    + ", outside this server's artifact store: environment file and checkpoints not read");
        }
        ObjectNode environment = JSON.createObjectNode();
        root.flatMap(r -> readJson(r.resolve(ENVIRONMENT_ARTIFACT), notes)).ifPresent(env -> {
            if (env.isObject()) environment.setAll((ObjectNode) env);
            else environment.set("value", env);
        });
        tags.forEach((k, v) -> {
            if (k.startsWith(ENV_TAG_PREFIX) && k.length() > ENV_TAG_PREFIX.length()) {
                environment.put(k.substring(ENV_TAG_PREFIX.length()), v);
            }
        });
        List<Checkpoint> checkpoints = root.map(r -> checkpoints(r, notes)).orElse(List.of());
        return new RunLineage(run.info(), metrics, params, datasets, code,
                environment.isEmpty() ? null : environment, checkpoints);
    }

    private List<Checkpoint> checkpoints(ArtifactPath runRoot, List<String> notes) {
        ArtifactPath dir = runRoot.resolve(CHECKPOINTS_DIR);
        List<Checkpoint> found = new ArrayList<>();
        List<FileInfo> children;
        try {
            children = artifacts.list(dir);
        } catch (MlvException e) {
            notes.add("Cannot list checkpoints: " + e.getMessage());
            return List.of();
        }
        for (FileInfo f : children) {
            if (found.size() >= MAX_CHECKPOINTS) {
                notes.add("More than " + MAX_CHECKPOINTS + " checkpoints; the rest are not listed");
                break;
            }
            if (!f.isDir()) continue;
            String name = lastSegment(f.path());
            Matcher m = EPOCH_DIR.matcher(name);
            if (!m.matches()) continue;
            JsonNode details = readJson(dir.resolve(name).resolve(CHECKPOINT_FILE), notes).orElse(null);
            found.add(new Checkpoint(Long.parseLong(m.group(1)), CHECKPOINTS_DIR + "/" + name, details));
        }
        found.sort(Comparator.comparingLong(Checkpoint::epoch));
        return found;
    }

    private static String lastSegment(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        int i = p.lastIndexOf('/');
        return i < 0 ? p : p.substring(i + 1);
    }

    /** A small JSON artifact, or empty when absent; unreadable or oversized files become a note. */
    private Optional<JsonNode> readJson(ArtifactPath path, List<String> notes) {
        Optional<FileInfo> info;
        try {
            info = artifacts.stat(path);
        } catch (MlvException e) {
            notes.add("Cannot read " + String.join("/", path.segments()) + ": " + e.getMessage());
            return Optional.empty();
        }
        if (info.isEmpty() || info.get().isDir()) return Optional.empty();
        if (info.get().fileSize() != null && info.get().fileSize() > MAX_JSON_BYTES) {
            notes.add(String.join("/", path.segments()) + " is larger than " + MAX_JSON_BYTES + " bytes; not read");
            return Optional.empty();
        }
        try (InputStream in = artifacts.open(path)) {
            return Optional.of(JSON.readTree(in.readNBytes(MAX_JSON_BYTES)));
        } catch (IOException | MlvException e) {
            notes.add("Cannot read " + String.join("/", path.segments()) + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
