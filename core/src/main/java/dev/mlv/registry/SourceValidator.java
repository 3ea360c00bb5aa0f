package dev.mlv.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Validates a model version's {@code source} — the exact string that gets stored — the way MLflow had to learn
 * through its CVEs (CVE-2023-1177, -2356, -2780, -6977, CVE-2024-1483, -1558, -1560, -1593, -3573, CVE-2025-11201).
 *
 * <p>Accepted: {@code runs:/<run_id>/<path>}, {@code models:/…} (see {@link ModelUri}), and
 * {@code mlflow-artifacts:/<path>} inside this server's artifact store (no host). A {@code file:} URI or a plain
 * local path is accepted only when the version names its run and the path lies inside that run's artifact directory
 * of a local artifact store (symlinks followed). Everything else is rejected with {@code INVALID_PARAMETER_VALUE}:
 * other schemes, hosts/authorities ({@code //proc/self/root}, {@code file://host/…}), {@code ..} segments anywhere
 * (raw, %-encoded, double-encoded — the whole string is decoded to a fixpoint first), backslashes, {@code #},
 * {@code ;}, {@code ?} (no query smuggling), NUL and other control characters, drive letters.
 */
public final class SourceValidator {
    public static final int MAX_SOURCE_LENGTH = 4096;

    private SourceValidator() {
    }

    /** What a validated source points at. */
    public enum Kind { RUN, LOGGED_MODEL, MODEL, ARTIFACTS, LOCAL_RUN_FILE }

    /**
     * A validated source: {@code uri} for {@link Kind#RUN}/{@link Kind#LOGGED_MODEL}/{@link Kind#MODEL}; {@code storePath} (relative to the
     * artifact store root) for {@link Kind#ARTIFACTS} and {@link Kind#LOCAL_RUN_FILE}.
     */
    public record Validated(Kind kind, String source, ModelUri uri, ArtifactPath storePath) {
    }

    /**
     * Where the run named by the version lives: its artifact directory relative to the artifact store root, and the
     * store's local root directory when the store is local (null otherwise).
     */
    public record RunLocation(ArtifactPath artifactDir, Path localArtifactRoot) {
    }

    /**
     * Validates {@code source} for a version of run {@code runId} (nullable) located at {@code run} (nullable when
     * there is no run or it is not stored in this server's artifact store).
     */
    public static Validated validate(String source, String runId, RunLocation run) {
        if (source == null || source.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'source'");
        if (source.length() > MAX_SOURCE_LENGTH) throw bad(source, "longer than " + MAX_SOURCE_LENGTH + " characters");
        if (!source.equals(source.strip())) throw bad(source, "leading or trailing white space");
        String decoded;
        try {
            decoded = ArtifactPath.decodeAndCheckCharacters(source);
        } catch (MlvException e) {
            throw bad(source, e.getMessage());
        }
        for (String seg : decoded.split("/", -1)) {
            if (seg.equals("..")) throw bad(source, "'..' segment");
        }
        if (decoded.startsWith("//")) throw bad(source, "network paths and authorities such as //host/… are not allowed");
        if (decoded.length() >= 2 && Character.isLetter(decoded.charAt(0)) && decoded.charAt(1) == ':') {
            throw bad(source, "drive letters are not allowed");
        }
        String scheme = ArtifactStores.schemeOf(decoded);
        if (scheme == null) return local(source, decoded, runId, run);
        String rest = decoded.substring(scheme.length() + 1);
        switch (scheme.toLowerCase(Locale.ROOT)) {
            case "runs", "models" -> {
                ModelUri uri;
                try {
                    uri = ModelUri.parse(scheme.toLowerCase(Locale.ROOT) + ":" + rest);
                } catch (MlvException e) {
                    throw bad(source, e.getMessage());
                }
                Kind kind = switch (uri.kind()) {
                    case RUN -> Kind.RUN;
                    case LOGGED_MODEL -> Kind.LOGGED_MODEL;
                    default -> Kind.MODEL;
                };
                return new Validated(kind, source, uri, null);
            }
            case "mlflow-artifacts" -> {
                ArtifactPath p = storePath(source, rest);
                if (p.isRoot()) throw bad(source, "it names the whole artifact store");
                return new Validated(Kind.ARTIFACTS, source, null, p);
            }
            case "file" -> {
                String path = rest;
                if (path.startsWith("//")) {
                    int end = path.indexOf('/', 2);
                    String authority = end < 0 ? path.substring(2) : path.substring(2, end);
                    if (!authority.isEmpty()) throw bad(source, "file URIs with a host ('" + authority + "') are not allowed");
                    path = end < 0 ? "" : path.substring(end);
                }
                return local(source, path, runId, run);
            }
            default -> throw bad(source, "unsupported scheme '" + scheme
                    + "': use runs:/<run_id>/<path>, models:/<name>/<version> or mlflow-artifacts:/<path>");
        }
    }

    /** Whether {@code source} is a local path or {@code file:} URI (which needs the run's location to validate). */
    public static boolean isLocal(String source) {
        if (source == null) return false;
        String scheme;
        try {
            scheme = ArtifactStores.schemeOf(ArtifactPath.decodeAndCheckCharacters(source));
        } catch (MlvException e) {
            return false; // validation rejects it anyway
        }
        return scheme == null || scheme.equals("file");
    }

    /** The path inside the artifact store of an {@code mlflow-artifacts:} URI (host-less); rejects anything else. */
    public static ArtifactPath storePathOf(String mlflowArtifactsUri) {
        String lower = mlflowArtifactsUri.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("mlflow-artifacts:")) {
            throw MlvException.invalid("Not an mlflow-artifacts: URI: '" + mlflowArtifactsUri + "'");
        }
        String decoded = ArtifactPath.decodeAndCheckCharacters(mlflowArtifactsUri);
        return storePath(mlflowArtifactsUri, decoded.substring("mlflow-artifacts:".length()));
    }

    private static ArtifactPath storePath(String source, String rest) {
        String path = rest;
        if (path.startsWith("//")) {
            int end = path.indexOf('/', 2);
            String authority = end < 0 ? path.substring(2) : path.substring(2, end);
            if (!authority.isEmpty()) {
                throw bad(source, "mlflow-artifacts URIs must point into this server's artifact store (no host '"
                        + authority + "')");
            }
            path = end < 0 ? "" : path.substring(end);
        }
        if (!path.startsWith("/")) throw bad(source, "expected mlflow-artifacts:/<path>");
        try {
            return ArtifactPath.parse(path.replaceFirst("^/+", ""));
        } catch (MlvException e) {
            throw bad(source, e.getMessage());
        }
    }

    private static Validated local(String source, String path, String runId, RunLocation run) {
        if (runId == null || runId.isEmpty()) {
            throw bad(source, "local paths are only accepted with a run_id, inside that run's artifact directory");
        }
        if (run == null || run.localArtifactRoot() == null) {
            throw bad(source, "local paths are only accepted inside the artifact directory of run " + runId
                    + " in this server's local artifact store");
        }
        if (!path.startsWith("/")) throw bad(source, "relative local paths are not allowed");
        Path root = run.localArtifactRoot().toAbsolutePath().normalize();
        Path runDir = root;
        for (String s : run.artifactDir().segments()) runDir = runDir.resolve(s);
        Path p = Path.of(path).normalize();
        if (!p.startsWith(runDir)) {
            throw bad(source, "local paths must lie inside the artifact directory of run " + runId);
        }
        ArtifactPath rel = ArtifactPath.parse(runDir.relativize(p).toString().replace(java.io.File.separatorChar, '/'));
        ArtifactPath full = run.artifactDir().resolve(rel);
        try {
            full.resolveUnder(root);
        } catch (MlvException e) {
            throw bad(source, e.getMessage());
        }
        return new Validated(Kind.LOCAL_RUN_FILE, source, null, full);
    }

    private static MlvException bad(String source, String why) {
        String shown = source.length() > 200 ? source.substring(0, 200) + "…" : source;
        StringBuilder printable = new StringBuilder();
        shown.chars().forEach(c -> printable.append(Character.isISOControl(c) ? '?' : (char) c));
        return MlvException.invalid("Invalid model version source '" + printable + "': " + why);
    }
}
