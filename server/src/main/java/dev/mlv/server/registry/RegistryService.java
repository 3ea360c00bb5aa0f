package dev.mlv.server.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.NewModelVersion;
import dev.mlv.registry.PromotionGates;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.SourceValidator;
import dev.mlv.registry.Stage;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the registry endpoints do beyond one store call: validating a version's source against this server's stores,
 * recording its files' digests, resolving model URIs, and promotions with gates and the four-eyes rule.
 */
public final class RegistryService {
    /** Registered-model tag naming the stages (comma-separated, or {@code *}) a promotion to needs a second person. */
    public static final String REQUIRE_APPROVAL_TAG = "mlv.require_approval";
    /** Most files a version may have recorded; a larger directory is refused rather than hashed for minutes. */
    public static final int MAX_FILES = 10_000;

    private final RegistryStore registry;
    private final TrackingStore tracking;
    private final ArtifactStore artifacts;
    private final ModelUriResolver resolver;

    public RegistryService(RegistryStore registry, TrackingStore tracking, ArtifactStore artifacts) {
        this.registry = registry;
        this.tracking = tracking;
        this.artifacts = artifacts;
        this.resolver = new ModelUriResolver(registry, tracking, artifacts);
    }

    public ModelUriResolver resolver() {
        return resolver;
    }

    /**
     * Validates the source (exactly the string that is stored), checks the run, hashes the files the source names,
     * and creates the version.
     */
    public ModelVersion createVersion(String name, String source, String runId, List<Tag> tags, String runLink,
                                      String description, String user) {
        registry.getRegisteredModel(name); // unknown model: 404 before anything else
        if (runId != null && !runId.isEmpty()) tracking.getRun(runId); // 404 for an unknown run
        SourceValidator.Validated v = SourceValidator.validate(source, runId, resolver.runLocation(runId));
        List<ModelFile> files;
        String location;
        String run = runId;
        switch (v.kind()) {
            case ARTIFACTS, LOCAL_RUN_FILE -> {
                files = digests(v.storePath());
                location = "mlflow-artifacts:/" + v.storePath();
            }
            case RUN, LOGGED_MODEL -> {
                ModelUriResolver.Resolved r = resolver.resolve(v.uri().toString());
                files = r.storePath() == null ? List.of() : digests(r.storePath());
                location = r.downloadUri();
                if (run == null || run.isEmpty()) run = r.runId(); // a logged model's source run, as MLflow 3 records it
            }
            default -> {
                ModelVersion target = resolver.version(v.uri());
                files = registry.getModelVersionFiles(target.name(), target.version());
                location = resolver.downloadUri(target);
            }
        }
        return registry.createModelVersion(new NewModelVersion(name, source, emptyToNull(run), tags,
                emptyToNull(runLink), description, files, location), user);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** SHA-256 and size of every file under {@code dir} (or of {@code dir} itself when it is a file), paths relative to it. */
    public List<ModelFile> digests(ArtifactPath dir) {
        List<ModelFile> out = new ArrayList<>();
        var stat = artifacts.stat(dir);
        if (stat.isEmpty()) return out;
        if (!stat.get().isDir()) {
            out.add(hash(dir, dir.name()));
            return out;
        }
        walk(dir, dir, out);
        out.sort(java.util.Comparator.comparing(ModelFile::path));
        return out;
    }

    private void walk(ArtifactPath root, ArtifactPath dir, List<ModelFile> out) {
        for (FileInfo f : artifacts.list(dir)) {
            ArtifactPath p = ArtifactPath.parse(f.path());
            if (f.isDir()) {
                walk(root, p, out);
            } else {
                if (out.size() >= MAX_FILES) {
                    throw MlvException.invalid("The model source holds more than " + MAX_FILES + " files");
                }
                out.add(hash(p, p.relativize(root).toString()));
            }
        }
    }

    private ModelFile hash(ArtifactPath p, String relative) {
        try (InputStream in = artifacts.open(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long size = 0;
            byte[] buf = new byte[1 << 16];
            try (DigestInputStream d = new DigestInputStream(in, md)) {
                for (int n; (n = d.read(buf)) > 0; ) size += n;
            }
            return new ModelFile(relative, size, HexFormat.of().formatHex(md.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot hash " + p, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ promotion

    /** The outcome of a promotion request. */
    public record Promotion(boolean promoted, boolean pendingApproval, List<PromotionGates.Check> checks,
                            ModelVersion modelVersion) {
    }

    public Promotion promote(String name, String version, Stage stage, List<String> requirements,
                             List<String> betterThanCurrent, String reason, boolean archiveExisting, String user) {
        PromotionGates.validate(requirements, betterThanCurrent);
        RegisteredModel model = registry.getRegisteredModel(name);
        ModelVersion candidate = registry.getModelVersion(name, version);
        List<PromotionGates.Check> checks = new ArrayList<>();
        if (!requirements.isEmpty() || !betterThanCurrent.isEmpty()) {
            PromotionGates.RunValues cand = values(candidate);
            if (cand == null) {
                checks.add(new PromotionGates.Check("run", false, "version " + version + " has no run to evaluate gates on"));
            } else {
                ModelVersion current = registry.getLatestVersions(name, List.of(stage)).stream()
                        .filter(v -> !v.version().equals(version)).findFirst().orElse(null);
                PromotionGates.RunValues cur = current == null ? null : values(current);
                if (current != null && cur == null) {
                    cur = new PromotionGates.RunValues(current.version(), Map.of(), Map.of());
                }
                checks.addAll(PromotionGates.evaluate(requirements, betterThanCurrent, cand, cur, stage.display()));
            }
        }
        PromotionGates.Check files = verifyFiles(candidate);
        if (files != null) checks.add(files);
        boolean passed = checks.stream().allMatch(PromotionGates.Check::passed);
        if (!passed) return new Promotion(false, false, checks, candidate);
        if (needsApproval(model, stage)) {
            registry.requestTransition(name, version, stage, archiveExisting, user, reason);
            return new Promotion(false, true, checks, candidate);
        }
        ModelVersion moved = registry.transitionStage(name, version, stage, archiveExisting, user, reason);
        return new Promotion(true, false, checks, moved);
    }

    /** Name of the gate that re-hashes a version's files before it moves. */
    public static final String FILES_GATE = "files match their registered digests";

    /**
     * Re-hashes the version's files and compares them with the digests recorded at registration; null when nothing was
     * recorded or the files are outside this server's artifact store.
     */
    public PromotionGates.Check verifyFiles(ModelVersion v) {
        List<ModelFile> recorded = registry.getModelVersionFiles(v.name(), v.version());
        if (recorded.isEmpty()) return null;
        ArtifactPath dir = resolver.storePath(v);
        if (dir == null) return null;
        Map<String, ModelFile> now = new HashMap<>();
        for (ModelFile f : digests(dir)) now.put(f.path(), f);
        List<String> problems = new ArrayList<>();
        for (ModelFile f : recorded) {
            ModelFile cur = now.remove(f.path());
            if (cur == null) problems.add(f.path() + " is missing");
            else if (!cur.sha256().equals(f.sha256())) problems.add(f.path() + " changed (SHA-256 " + cur.sha256() + ", registered " + f.sha256() + ")");
        }
        for (String extra : new java.util.TreeSet<>(now.keySet())) problems.add(extra + " was added after registration");
        if (problems.isEmpty()) return new PromotionGates.Check(FILES_GATE, true, recorded.size() + " files verified");
        return new PromotionGates.Check(FILES_GATE, false, String.join("; ", problems.subList(0, Math.min(10, problems.size())))
                + (problems.size() > 10 ? "; and " + (problems.size() - 10) + " more" : ""));
    }

    /** Approves a pending promotion after checking the version's files are still the registered bytes. */
    public ModelVersion approve(String name, String version, Stage stage, String approver, String reason) {
        PromotionGates.Check files = verifyFiles(registry.getModelVersion(name, version));
        if (files != null && !files.passed()) {
            throw MlvException.invalid("Cannot approve version " + version + " of model '" + name + "': its " + files.detail());
        }
        return registry.approveTransition(name, version, stage, approver, reason);
    }

    static boolean needsApproval(RegisteredModel model, Stage stage) {
        String rule = model.tag(REQUIRE_APPROVAL_TAG);
        if (rule == null || rule.isBlank()) return false;
        for (String s : rule.split("[,\\s]+")) {
            String t = s.trim();
            if (t.equals("*") || t.equalsIgnoreCase("all")) return true;
            if (t.toLowerCase(Locale.ROOT).equals(stage.display().toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    private PromotionGates.RunValues values(ModelVersion v) {
        if (v.runId() == null || v.runId().isEmpty()) return null;
        Run run;
        try {
            run = tracking.getRun(v.runId());
        } catch (MlvException e) {
            return null;
        }
        Map<String, Double> metrics = new HashMap<>();
        for (Metric m : run.latestMetrics()) metrics.put(m.key(), m.value());
        Map<String, String> params = new HashMap<>();
        for (Param p : run.params()) params.put(p.key(), p.value());
        return new PromotionGates.RunValues(v.version(), metrics, params);
    }
}
