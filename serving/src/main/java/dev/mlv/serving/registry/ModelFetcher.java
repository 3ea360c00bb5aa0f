package dev.mlv.serving.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Resolves model URIs through the mlv server and downloads model files into a local cache
 * ({@code <cache>/<name>/<version>/}), checking every file's SHA-256 against the digest the registry recorded when
 * the version was registered. A mismatch is refused: nothing unverified is ever served.
 */
public final class ModelFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFetcher.class);
    static final String RESOLVE = "/api/2.0/mlv/models/resolve";
    static final String FILES = "/api/2.0/mlv/model-versions/files";
    static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";

    /** One file of a model version with its registered digest (null for a run's model: nothing was registered). */
    public record ModelFileDigest(String path, long size, String sha256) {
    }

    private final RestClient rest;
    private final Path cacheRoot;

    public ModelFetcher(RestClient rest, Path cacheRoot) {
        this.rest = rest;
        this.cacheRoot = cacheRoot;
    }

    /** {@code ~/.mlv/models-cache}, or {@code $MLV_HOME/models-cache}. */
    public static Path defaultCache() {
        String home = System.getenv("MLV_HOME");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of(System.getProperty("user.home"), ".mlv");
        return base.resolve("models-cache");
    }

    public RestClient rest() {
        return rest;
    }

    /**
     * Where {@code ref} points now, as the server resolves it: a registered version, a logged model (also for
     * {@code runs:/<run>/<name>} when the run's model was logged the MLflow 3 way), or a run's directory.
     */
    public ResolvedModel resolve(ModelRef ref) {
        if (ref.kind() == ModelRef.Kind.LOCAL) throw new IllegalArgumentException("A local model is not resolved through the server");
        JsonNode r = rest.get(RESOLVE, Map.of("uri", ref.uri()));
        String download = r.path("download_uri").asText(null);
        String runId = r.path("run_id").asText(null);
        if (r.hasNonNull("version")) {
            return new ResolvedModel(r.path("name").asText(), r.path("version").asText(), download, runId, ref.kind());
        }
        JsonNode logged = r.path("logged_model");
        if (logged.isObject()) {
            return new ResolvedModel(logged.path("name").asText(), logged.path("model_id").asText(), download, runId,
                    ModelRef.Kind.LOGGED_MODEL);
        }
        return new ResolvedModel(ref.runPath(), "run-" + ref.runId(), download, runId, ModelRef.Kind.RUN);
    }

    /** The registered files of a version, with digests. */
    public List<ModelFileDigest> files(ResolvedModel m) {
        JsonNode r = rest.get(FILES, Map.of("name", m.name(), "version", m.version()));
        List<ModelFileDigest> out = new ArrayList<>();
        for (JsonNode f : r.path("files")) {
            out.add(new ModelFileDigest(f.path("path").asText(), f.path("size").asLong(-1), f.path("sha256").asText(null)));
        }
        if (out.isEmpty()) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Model " + m.name() + " version " + m.version() + " has no registered files");
        }
        return out;
    }

    /**
     * Downloads (or reuses from the cache, after re-checking digests) the files of {@code m} and returns the local
     * model directory. Throws {@code INVALID_STATE} when a file's digest differs from the registered one.
     */
    public Path fetch(ResolvedModel m) {
        boolean registered = m.kind() == ModelRef.Kind.MODEL_VERSION || m.kind() == ModelRef.Kind.MODEL_MOVING;
        List<ModelFileDigest> files = switch (m.kind()) {
            case MODEL_VERSION, MODEL_MOVING -> files(m);
            case RUN -> listRunFiles(m);
            case LOGGED_MODEL -> listLoggedModelFiles(m);
            case LOCAL -> throw new IllegalArgumentException("A local model is not fetched");
        };
        Path dir = cacheRoot.resolve(safe(m.name())).resolve(safe(m.version()));
        if (Files.isDirectory(dir) && registered && matches(dir, files)) {
            LOG.info("Using cached {} version {} from {}", m.name(), m.version(), dir);
            return dir;
        }
        String root = proxyPath(m.downloadUri());
        Path staging = dir.resolveSibling("." + dir.getFileName() + ".partial-" + UUID.randomUUID());
        try {
            Files.createDirectories(staging);
            for (ModelFileDigest f : files) {
                Path target = ArtifactPath.parse(f.path()).resolveUnder(staging);
                Files.createDirectories(target.getParent());
                rest.download(ARTIFACTS + encodePath(root + "/" + f.path()), target);
                if (f.sha256() != null) {
                    String got = sha256(target);
                    if (!got.equalsIgnoreCase(f.sha256())) {
                        throw new MlvException(ErrorCode.INVALID_STATE, "Refusing to serve " + m.name() + " version " + m.version()
                                + ": file '" + f.path() + "' has SHA-256 " + got + " but " + f.sha256() + " was registered");
                    }
                }
            }
            deleteTree(dir);
            Files.createDirectories(dir.getParent());
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Downloaded {} version {} ({} files, digests verified: {}) to {}", m.name(), m.version(), files.size(), registered, dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot download model " + m.name() + " version " + m.version(), e);
        } finally {
            deleteTree(staging);
        }
    }

    private List<ModelFileDigest> listRunFiles(ResolvedModel m) {
        List<ModelFileDigest> out = new ArrayList<>();
        listRun(m.runId(), m.name(), m.name(), out);
        if (out.isEmpty()) throw MlvException.notFound("No files under runs:/" + m.runId() + "/" + m.name());
        return out;
    }

    private List<ModelFileDigest> listLoggedModelFiles(ResolvedModel m) {
        List<ModelFileDigest> out = new ArrayList<>();
        listLoggedModel(m.version(), "", out);
        if (out.isEmpty()) throw MlvException.notFound("No files in logged model " + m.version());
        return out;
    }

    private void listLoggedModel(String modelId, String path, List<ModelFileDigest> out) {
        JsonNode r = rest.get("/api/2.0/mlflow/logged-models/" + encodePath(modelId) + "/artifacts/directories",
                path.isEmpty() ? Map.of() : Map.of("artifact_directory_path", path));
        for (JsonNode f : r.path("files")) {
            String p = f.path("path").asText();
            if (f.path("is_dir").asBoolean()) listLoggedModel(modelId, p, out);
            else out.add(new ModelFileDigest(p, f.path("file_size").asLong(-1), null));
        }
    }

    private void listRun(String runId, String base, String path, List<ModelFileDigest> out) {
        String token = null;
        do {
            java.util.HashMap<String, Object> q = new java.util.HashMap<>();
            q.put("run_id", runId);
            q.put("path", path);
            q.put("page_token", token);
            JsonNode r = rest.get("/api/2.0/mlflow/artifacts/list", q);
            for (JsonNode f : r.path("files")) {
                String p = f.path("path").asText();
                if (f.path("is_dir").asBoolean()) listRun(runId, base, p, out);
                else out.add(new ModelFileDigest(p.substring(base.length() + 1), f.path("file_size").asLong(-1), null));
            }
            token = r.hasNonNull("next_page_token") ? r.get("next_page_token").asText() : null;
        } while (token != null && !token.isEmpty());
    }

    private static boolean matches(Path dir, List<ModelFileDigest> files) {
        try {
            for (ModelFileDigest f : files) {
                Path p = ArtifactPath.parse(f.path()).resolveUnder(dir);
                if (!Files.isRegularFile(p) || f.sha256() == null || !sha256(p).equalsIgnoreCase(f.sha256())) return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code mlflow-artifacts:/a/b} → {@code a/b}. */
    static String proxyPath(String downloadUri) {
        if (downloadUri == null || downloadUri.isBlank()) throw new MlvException(ErrorCode.INVALID_STATE, "The server gave no download URI");
        String u = downloadUri;
        if (u.startsWith("mlflow-artifacts:")) {
            u = u.substring("mlflow-artifacts:".length());
            if (u.startsWith("//")) {
                int slash = u.indexOf('/', 2);
                u = slash < 0 ? "" : u.substring(slash);
            }
            return u.replaceFirst("^/+", "").replaceAll("/+$", "");
        }
        throw new MlvException(ErrorCode.INVALID_STATE, "Cannot download '" + downloadUri
                + "': only mlflow-artifacts:/ locations (served through the artifact proxy) are supported");
    }

    static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) continue;
            if (sb.length() > 0) sb.append('/');
            sb.append(RestClient.enc(seg));
        }
        return sb.toString();
    }

    private static String safe(String s) {
        String e = RestClient.enc(s);
        return e.equals(".") || e.equals("..") ? "_" + e : e;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.deleteIfExists(x);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
