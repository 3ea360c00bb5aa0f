package dev.mlv.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.LocalArtifactStore;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.LoggedModel;
import dev.mlv.tracking.ModelIo;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.TrackingStore;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Resolves model URIs ({@link ModelUri}) to a model version and to where its files are: the one resolver used by the
 * server, the CLI (through the server) and serving. A version's files are addressed as {@code mlflow-artifacts:/<path>}
 * when they live in this server's artifact store, so clients download them through the artifact proxy.
 */
public final class ModelUriResolver {
    private static final int MAX_DEPTH = 5;
    private final RegistryStore registry;
    private final TrackingStore tracking;
    private final ArtifactStore artifacts;
    private final Path localArtifactRoot;

    /** Resolves against these stores; {@code artifacts} is the store that {@code mlflow-artifacts:/} URIs name. */
    public ModelUriResolver(RegistryStore registry, TrackingStore tracking, ArtifactStore artifacts) {
        this.registry = registry;
        this.tracking = tracking;
        this.artifacts = artifacts;
        this.localArtifactRoot = artifacts instanceof LocalArtifactStore local ? local.root() : null;
    }

    /**
     * What a URI resolves to: the version (null unless a {@code models:/} URI of a registered model), the logged
     * model (null unless the URI names one, or a {@code runs:/} URI stands for one), the run id (may be null), the URI
     * the files can be downloaded from, and their directory inside the artifact store (null when outside it).
     */
    public record Resolved(ModelVersion modelVersion, LoggedModel loggedModel, String runId, String downloadUri,
                           ArtifactPath storePath) {
    }

    public Resolved resolve(String uri) {
        return resolve(ModelUri.parse(uri), 0);
    }

    private Resolved resolve(ModelUri uri, int depth) {
        if (depth > MAX_DEPTH) throw MlvException.invalid("Model URI resolution is nested more than " + MAX_DEPTH + " levels deep");
        if (uri.kind() == ModelUri.Kind.RUN) {
            Run run = tracking.getRun(uri.runId());
            String root = run.info().artifactUri();
            ArtifactPath dir = isProxied(root) ? SourceValidator.storePathOf(root).resolve(uri.path()) : null;
            if (dir == null || artifacts.stat(dir).isEmpty()) {
                // MLflow 3 keeps a model's files with the logged model, not the run: runs:/<run>/<name> then names the
                // newest model of that name the run produced, as MLflow 3 resolves it
                LoggedModel output = newestOutputModel(run, uri.path().toString());
                if (output != null) return loggedModel(output);
            }
            String download = dir != null ? "mlflow-artifacts:/" + dir
                    : root + (uri.path().isRoot() ? "" : "/" + uri.path());
            return new Resolved(null, null, uri.runId(), download, dir);
        }
        if (uri.kind() == ModelUri.Kind.LOGGED_MODEL) {
            try {
                return loggedModel(tracking.getLoggedModel(uri.modelId(), false));
            } catch (MlvException e) {
                if (e.code() != ErrorCode.RESOURCE_DOES_NOT_EXIST) throw e;
                throw MlvException.notFound(e.getMessage() + " (" + uri + " names a logged model by its id; a registered "
                        + "model is models:/" + uri.modelId() + "/<version|stage|latest> or models:/" + uri.modelId() + "@<alias>)");
            }
        }
        ModelVersion v = version(uri);
        Resolved files = filesOf(v, depth);
        return new Resolved(v, null, v.runId(), files.downloadUri(), files.storePath());
    }

    private static Resolved loggedModel(LoggedModel m) {
        String location = m.artifactLocation();
        return new Resolved(null, m, m.sourceRunId(), location, isProxied(location) ? SourceValidator.storePathOf(location) : null);
    }

    /** The newest logged model named {@code name} that {@code run} produced, or null. */
    private LoggedModel newestOutputModel(Run run, String name) {
        LoggedModel newest = null;
        for (ModelIo io : run.models()) {
            if (io.direction() != ModelIo.Direction.OUTPUT) continue;
            try {
                LoggedModel m = tracking.getLoggedModel(io.modelId(), false);
                if (m.name().equals(name) && (newest == null || m.creationTimestampMs() > newest.creationTimestampMs())) newest = m;
            } catch (MlvException e) {
                // an output that names no (or a deleted) model: not this one
            }
        }
        return newest;
    }

    /** The version a {@code models:/} URI names; {@code RESOURCE_DOES_NOT_EXIST} when there is none. */
    public ModelVersion version(ModelUri uri) {
        return switch (uri.kind()) {
            case VERSION -> registry.getModelVersion(uri.name(), uri.version());
            case ALIAS -> registry.getModelVersionByAlias(uri.name(), uri.alias());
            case STAGE -> {
                List<ModelVersion> l = registry.getLatestVersions(uri.name(), List.of(uri.stage()));
                if (l.isEmpty()) {
                    throw MlvException.notFound("No model version of '" + uri.name() + "' is in stage " + uri.stage().display());
                }
                yield l.get(0);
            }
            case LATEST -> registry.getLatestVersions(uri.name(), List.of()).stream()
                    .max(Comparator.comparingLong(ModelVersion::versionNumber))
                    .orElseThrow(() -> MlvException.notFound("Registered model '" + uri.name() + "' has no versions"));
            case RUN -> throw MlvException.invalid("'" + uri + "' names a run, not a model version");
            case LOGGED_MODEL -> throw MlvException.invalid("'" + uri + "' names a logged model, not a model version: register it "
                    + "(model-versions/create with source " + uri + "), or use models:/<name>/<version|stage|latest> or models:/<name>@<alias>");
        };
    }

    /** Where a version's files can be downloaded from (an {@code mlflow-artifacts:/} URI when in this server's store). */
    public String downloadUri(ModelVersion v) {
        return filesOf(v, 0).downloadUri();
    }

    /** The directory of a version's files inside the artifact store, or null when they are outside it. */
    public ArtifactPath storePath(ModelVersion v) {
        return filesOf(v, 0).storePath();
    }

    private Resolved filesOf(ModelVersion v, int depth) {
        String stored = v.storageLocation();
        if (stored != null && isProxied(stored)) {
            // resolved once at registration: no tracking look-ups on the hot path
            return new Resolved(v, null, v.runId(), stored, SourceValidator.storePathOf(stored));
        }
        SourceValidator.Validated s = SourceValidator.validate(v.source(), v.runId(),
                SourceValidator.isLocal(v.source()) ? runLocation(v.runId()) : null);
        return switch (s.kind()) {
            case ARTIFACTS, LOCAL_RUN_FILE -> new Resolved(v, null, v.runId(), "mlflow-artifacts:/" + s.storePath(), s.storePath());
            case RUN, LOGGED_MODEL, MODEL -> {
                Resolved inner = resolve(s.uri(), depth + 1);
                yield new Resolved(v, null, v.runId(), inner.downloadUri(), inner.storePath());
            }
        };
    }

    /** The location of a run's artifacts for {@link SourceValidator}, or null when the run is unknown or not in this store. */
    public SourceValidator.RunLocation runLocation(String runId) {
        if (runId == null || runId.isEmpty()) return null;
        RunInfo run;
        try {
            run = tracking.getRun(runId).info();
        } catch (MlvException e) {
            return null;
        }
        if (!isProxied(run.artifactUri())) return null;
        return new SourceValidator.RunLocation(SourceValidator.storePathOf(run.artifactUri()), localArtifactRoot);
    }

    private static boolean isProxied(String uri) {
        return uri != null && uri.toLowerCase(Locale.ROOT).startsWith("mlflow-artifacts:");
    }
}
