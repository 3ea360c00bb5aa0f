package dev.mlv.gc;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.ResourceType;
import dev.mlv.registry.ModelVersion;
import dev.mlv.store.MetadataStore;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.LifecycleStage;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.RunQuery;
import dev.mlv.tracking.ViewType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mlv gc} (MLflow's {@code mlflow gc}): removes for good the runs and experiments in the deleted lifecycle
 * stage, with their artifacts, so that deleting a run in the UI or the API really frees its storage.
 *
 * <p>Traceability comes first: a run or experiment that a registered model version was created from (its
 * {@code run_id}, or a source inside its artifacts) is kept, so a served model can always be traced back to its run.
 * A sweep reports what it kept and why; naming such a run or experiment explicitly is an error, and so is naming one
 * that is not deleted, or deleted more recently than {@code --older-than}: then nothing is removed at all.
 *
 * <p>For each run its artifacts go first (when they are in this server's artifact store,
 * {@link ArtifactStore#pathOf}), then its metadata, in one transaction; an interrupted collection leaves deleted runs
 * whose artifacts may be gone, which the next collection finishes. A removed experiment's permission grants go too.
 */
public final class GarbageCollector {
    private static final Pattern SOURCE_RUN = Pattern.compile("runs:/([0-9a-f]{32})(?:/.*)?");
    private static final Pattern SOURCE_LOGGED_MODEL = Pattern.compile("models:/(m-[0-9a-f]{32})(?:/.*)?");

    private final MetadataStore metadata;
    private final ArtifactStore artifacts;
    private final String actor;

    /** {@code actor} is recorded in the audit log for the permission grants removed with experiments. */
    public GarbageCollector(MetadataStore metadata, ArtifactStore artifacts, String actor) {
        this.metadata = metadata;
        this.artifacts = artifacts;
        this.actor = actor;
    }

    /**
     * What to collect: the runs and experiments named, or (when neither is named) every deleted one; only those
     * deleted at least {@code olderThan} ago.
     */
    public record Request(Duration olderThan, List<String> runIds, List<String> experimentIds, boolean dryRun) {
        public Request {
            runIds = List.copyOf(runIds);
            experimentIds = List.copyOf(experimentIds);
        }
    }

    /** A run or experiment not removed, and why. */
    public record Kept(String kind, String id, String why) {
    }

    /**
     * What was (with {@code dryRun}: would be) removed: runs and experiments by id, and the artifact locations left
     * alone because they are outside this artifact store.
     */
    public record Result(List<String> runs, List<String> experiments, List<Kept> kept, List<String> artifactsLeft, boolean dryRun) {
    }

    public Result collect(Request req, long now) {
        long cutoff = now - req.olderThan().toMillis();
        Map<String, List<String>> registered = registeredFrom();
        Map<String, RunInfo> runs = new LinkedHashMap<>();
        Map<String, Experiment> experiments = new LinkedHashMap<>();
        List<Kept> kept = new ArrayList<>();
        boolean sweep = req.runIds().isEmpty() && req.experimentIds().isEmpty();
        if (sweep) {
            for (RunInfo r : metadata.tracking().deletedRuns(cutoff)) runs.put(r.runId(), r);
            for (Experiment e : metadata.tracking().deletedExperiments(cutoff)) experiments.put(e.experimentId(), e);
        } else {
            Set<String> oldEnough = new HashSet<>();
            if (!req.runIds().isEmpty()) metadata.tracking().deletedRuns(cutoff).forEach(d -> oldEnough.add(d.runId()));
            for (String id : req.runIds()) runs.put(id, collectableRun(id, oldEnough));
            for (String id : req.experimentIds()) experiments.put(id, collectableExperiment(id, cutoff));
        }
        // an experiment takes all its runs with it; one whose runs were registered is kept whole
        Map<String, List<RunInfo>> runsOf = new HashMap<>();
        for (var it = experiments.values().iterator(); it.hasNext(); ) {
            Experiment e = it.next();
            List<RunInfo> all = runsOf(e.experimentId());
            String why = registeredReason(registered, e.experimentId(), all);
            if (why != null) {
                if (!sweep) throw new MlvException(ErrorCode.INVALID_STATE, "Experiment " + e.experimentId() + " cannot be removed: " + why);
                kept.add(new Kept("experiment", e.experimentId(), why));
                it.remove();
                continue;
            }
            runsOf.put(e.experimentId(), all);
            for (RunInfo r : all) runs.remove(r.runId());
        }
        for (var it = runs.values().iterator(); it.hasNext(); ) {
            RunInfo r = it.next();
            List<String> versions = registered.get(r.runId());
            if (versions == null) continue;
            String why = "model version " + String.join(", ", versions) + " was registered from it; delete "
                    + (versions.size() == 1 ? "that version" : "those versions") + " first";
            if (!sweep) throw new MlvException(ErrorCode.INVALID_STATE, "Run " + r.runId() + " cannot be removed: " + why);
            kept.add(new Kept("run", r.runId(), why));
            it.remove();
        }

        List<String> left = new ArrayList<>();
        if (!req.dryRun()) {
            for (RunInfo r : runs.values()) {
                deleteArtifacts(r.artifactUri(), left);
                metadata.tracking().purgeRun(r.runId());
            }
            for (Experiment e : experiments.values()) {
                for (RunInfo r : runsOf.get(e.experimentId())) deleteArtifacts(r.artifactUri(), left);
                deleteArtifacts(e.artifactLocation(), left);
                metadata.tracking().purgeExperiment(e.experimentId());
                metadata.permissions().deleteAll(ResourceType.EXPERIMENT, e.experimentId(), actor);
            }
        }
        List<String> purgedRuns = new ArrayList<>(runs.keySet());
        for (List<RunInfo> rs : runsOf.values()) for (RunInfo r : rs) purgedRuns.add(r.runId());
        return new Result(purgedRuns, new ArrayList<>(experiments.keySet()), kept, left, req.dryRun());
    }

    /**
     * Parses MLflow's {@code --older-than} format: days, hours, minutes and seconds, each optional, in that order
     * ({@code 30d}, {@code 1d2h3m4s}, {@code 90m}); null or empty is zero.
     */
    public static Duration parseAge(String s) {
        if (s == null || s.isBlank()) return Duration.ZERO;
        Matcher m = Pattern.compile("(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?").matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || s.isBlank()) {
            throw MlvException.invalid("Invalid age '" + s + "': days, hours, minutes and seconds such as 30d, 12h or 1d2h3m4s");
        }
        long seconds = 0;
        long[] unit = {86_400, 3_600, 60, 1};
        for (int i = 0; i < 4; i++) if (m.group(i + 1) != null) seconds += Long.parseLong(m.group(i + 1)) * unit[i];
        return Duration.ofSeconds(seconds);
    }

    /** A named run: it must exist, be deleted, and be among {@code oldEnough} (deleted before the cutoff). */
    private RunInfo collectableRun(String id, Set<String> oldEnough) {
        RunInfo r = metadata.tracking().getRun(id).info();
        requireDeleted("Run", id, r.lifecycleStage());
        if (!oldEnough.contains(id)) throw tooRecent("Run", id);
        return r;
    }

    private Experiment collectableExperiment(String id, long cutoff) {
        Experiment e = metadata.tracking().getExperiment(id);
        requireDeleted("Experiment", id, e.lifecycleStage());
        if (e.lastUpdateTime() > cutoff) throw tooRecent("Experiment", id);
        return e;
    }

    private static void requireDeleted(String kind, String id, LifecycleStage stage) {
        if (stage != LifecycleStage.DELETED) {
            throw new MlvException(ErrorCode.INVALID_STATE, kind + " " + id + " is not in the 'deleted' lifecycle stage: only "
                    + "deleted runs and experiments can be removed for good (delete it first)");
        }
    }

    private static MlvException tooRecent(String kind, String id) {
        return new MlvException(ErrorCode.INVALID_STATE, kind + " " + id + " was deleted more recently than --older-than allows");
    }

    /** Every run of an experiment, active and deleted. */
    private List<RunInfo> runsOf(String experimentId) {
        return Page.all(token -> metadata.tracking().searchRuns(new RunQuery(List.of(experimentId), null, List.of(),
                RunQuery.MAX_RESULTS_LIMIT, token, ViewType.ALL))).stream().map(Run::info).toList();
    }

    /**
     * Run ids and experiment ids that registered model versions come from → the versions ({@code name vN}): a
     * version's {@code run_id}, a {@code runs:/…} source, a source inside this artifact store
     * ({@code <experiment>/<run>/…}) and a logged model's {@code models:/m-…} source (experiments under the key
     * {@code experiment:<id>}).
     */
    private Map<String, List<String>> registeredFrom() {
        Map<String, Set<String>> from = new HashMap<>();
        for (ModelVersion v : Page.all(token -> metadata.registry().searchModelVersions(null, 1000, List.of(), token))) {
            String label = v.name() + " v" + v.version();
            Consumer<String> cameFrom = key -> from.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(label);
            if (v.runId() != null && !v.runId().isEmpty()) cameFrom.accept(v.runId());
            String source = v.source() == null ? "" : v.source();
            Matcher run = SOURCE_RUN.matcher(source);
            if (run.matches()) cameFrom.accept(run.group(1));
            Matcher logged = SOURCE_LOGGED_MODEL.matcher(source);
            if (logged.matches()) {
                try {
                    cameFrom.accept("experiment:" + metadata.tracking().getLoggedModel(logged.group(1), true).experimentId());
                } catch (MlvException gone) {
                    // a logged model that no longer exists keeps nothing
                }
            }
            List<String> segs = artifacts.pathOf(source).map(ArtifactPath::segments).orElse(List.of());
            if (!segs.isEmpty()) cameFrom.accept("experiment:" + segs.get(0));
            if (segs.size() > 1) cameFrom.accept(segs.get(1));
        }
        Map<String, List<String>> lists = new HashMap<>();
        from.forEach((k, v) -> lists.put(k, List.copyOf(v)));
        return lists;
    }

    private static String registeredReason(Map<String, List<String>> registered, String experimentId, List<RunInfo> runs) {
        List<String> versions = new ArrayList<>(registered.getOrDefault("experiment:" + experimentId, List.of()));
        for (RunInfo r : runs) versions.addAll(registered.getOrDefault(r.runId(), List.of()));
        if (versions.isEmpty()) return null;
        return "model version " + String.join(", ", versions.stream().distinct().toList())
                + " was registered from its runs; delete those versions first";
    }

    /** Removes what {@code uri} names in this artifact store; a location elsewhere is left alone (and reported). */
    private void deleteArtifacts(String uri, List<String> left) {
        List<String> segs = artifacts.pathOf(uri).map(ArtifactPath::segments).orElse(List.of());
        if (segs.isEmpty()) { // elsewhere, or the store's root itself
            if (uri != null && !uri.isEmpty()) left.add(uri);
            return;
        }
        // a run's URI ends in /artifacts: its whole folder goes
        List<String> folder = segs.size() == 3 && segs.get(2).equals("artifacts") ? segs.subList(0, 2) : segs;
        artifacts.delete(ArtifactPath.parse(String.join("/", folder)));
    }
}
