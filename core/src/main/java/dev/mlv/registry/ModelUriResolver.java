package dev.mlv.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.LoggedModel;
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
    private final Path localArtifactRoot;

    /** {@code localArtifactRoot} is the root directory of a local artifact store, or null when it is not local. */
    public ModelUriResolver(RegistryStore registry, TrackingStore tracking, Path localArtifactRoot) {
        this.registry = registry;
        this.tracking = tracking;
        this.localArtifactRoot = localArtifactRoot;
    }

    /**
     * What a URI resolves to: the version (null for {@code runs:/}), its run id (may be null), the URI its files can
     * be downloaded from, and their directory inside the artifact store (null when outside it).
     */
    public record Resolved(ModelVersion modelVersion, String runId, String downloadUri, ArtifactPath storePath) {
    }

    public Resolved resolve(String uri) {
        return resolve(ModelUri.parse(uri), 0);
    }

    private Resolved resolve(ModelUri uri, int depth) {
        if (depth > MAX_DEPTH) throw MlvException.invalid("Model URI resolution is nested more than " + MAX_DEPTH + " levels deep");
        if (uri.kind() == ModelUri.Kind.RUN) {
            RunInfo run = tracking.getRun(uri.runId()).info();
            ArtifactPath dir = isProxied(run.artifactUri())
                    ? SourceValidator.storePathOf(run.artifactUri()).resolve(uri.path()) : null;
            String download = dir != null ? "mlflow-artifacts:/" + dir
                    : run.artifactUri() + (uri.path().isRoot() ? "" : "/" + uri.path());
            return new Resolved(null, uri.runId(), download, dir);
        }
        if (uri.kind() == ModelUri.Kind.LOGGED_MODEL) {
            LoggedModel m;
            try {
                m = tracking.getLoggedModel(uri.modelId(), false);
            } catch (MlvException e) {
                if (e.code() != ErrorCode.RESOURCE_DOES_NOT_EXIST) throw e;
                throw MlvException.notFound(e.getMessage() + " (" + uri + " names a logged model by its id; a registered "
                        + "model is models:/" + uri.modelId() + "/<version|stage|latest> or models:/" + uri.modelId() + "@<alias>)");
            }
            String location = m.artifactLocation();
            return new Resolved(null, m.sourceRunId(), location, isProxied(location) ? SourceValidator.storePathOf(location) : null);
        }
        ModelVersion v = version(uri);
        Resolved files = filesOf(v, depth);
        return new Resolved(v, v.runId(), files.downloadUri(), files.storePath());
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
            return new Resolved(v, v.runId(), stored, SourceValidator.storePathOf(stored));
        }
        SourceValidator.Validated s = SourceValidator.validate(v.source(), v.runId(),
                SourceValidator.isLocal(v.source()) ? runLocation(v.runId()) : null);
        return switch (s.kind()) {
            case ARTIFACTS, LOCAL_RUN_FILE -> new Resolved(v, v.runId(), "mlflow-artifacts:/" + s.storePath(), s.storePath());
            case RUN, LOGGED_MODEL, MODEL -> {
                Resolved inner = resolve(s.uri(), depth + 1);
                yield new Resolved(v, v.runId(), inner.downloadUri(), inner.storePath());
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
