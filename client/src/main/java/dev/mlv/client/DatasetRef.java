package dev.mlv.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;

/**
 * A dataset a run reads, as MLflow's {@code runs/log-inputs} records it: {@code name}, {@code digest},
 * {@code source_type} and {@code source} are required; {@code schema} and {@code profile} are optional free-form
 * strings (usually JSON); {@code context} (e.g. "training", "eval") becomes the input tag
 * {@code mlflow.data.context}. Runs can be searched by {@code datasets.name}, {@code datasets.digest} and
 * {@code datasets.context}.
 */
public record DatasetRef(String name, String digest, String sourceType, String source, String schema, String profile,
                         String context) {
    public static final String CONTEXT_TAG = "mlflow.data.context";

    public DatasetRef {
        require(name, "name");
        require(digest, "digest");
        require(sourceType, "source_type");
        require(source, "source");
    }

    /** A dataset without schema, profile or context. */
    public static DatasetRef of(String name, String digest, String sourceType, String source) {
        return new DatasetRef(name, digest, sourceType, source, null, null, null);
    }

    /**
     * The dataset version a pointer file ({@code PATH.mlv}, written by {@code mlv data add}) names: {@code name} is the
     * data path (relative to the repository holding {@code .mlv/}, else as the pointer names it), {@code digest} the
     * first 32 hex characters of its SHA-256 ({@link dev.mlv.data.Digests#datasetDigest}), {@code source_type}
     * {@code mlv}, and {@code source} the JSON {@code {"path", "digest", "remote"}} with the full digest and the URL of
     * the repository's default remote (null when none), and for imported data ({@code mlv data import}) also
 * {@code imported_from}: {@code {"repo", "path", "rev_lock", "rev"}}. Search runs by {@code datasets.digest = '<digest>'}.
     */
    public static DatasetRef fromPointer(java.nio.file.Path pointer) {
        java.nio.file.Path abs = pointer.toAbsolutePath().normalize();
        dev.mlv.data.PointerFile pf = dev.mlv.data.PointerFile.read(abs);
        dev.mlv.data.PointerFile.Out out = pf.outs().get(0);
        java.nio.file.Path data = abs.getParent().resolve(out.path()).normalize();
        String name = out.path();
        String remote = null;
        try {
            java.nio.file.Path root = dev.mlv.data.DataRepo.findRoot(abs.getParent());
            name = root.relativize(data).toString().replace('\\', '/');
            var config = dev.mlv.data.DataConfig.ofRepository(root.resolve(dev.mlv.data.DataRepo.DIR));
            if (config.defaultRemote() != null) remote = config.remotes().get(config.defaultRemote());
        } catch (MlvException notInRepository) {
            // a pointer outside an mlv repository: its own path, no remote
        }
        ObjectNode source = RestClient.object();
        source.put("path", name);
        source.put("digest", out.digest());
        if (remote == null) source.putNull("remote");
        else source.put("remote", remote);
        var imported = pf.source();
        if (imported != null) {
            ObjectNode from = source.putObject("imported_from");
            from.put("repo", imported.url()).put("path", imported.path()).put("rev_lock", imported.revLock());
            if (imported.rev() != null) from.put("rev", imported.rev());
        }
        var external = pf.external();
        if (external != null) { // 'import-url': the URL and the version of it that was downloaded
            ObjectNode from = source.putObject("imported_from");
            from.put("url", external.url());
            if (external.etag() != null) from.put("etag", external.etag());
            if (external.modified() != null) from.put("modified", external.modified());
        }
        return of(name, dev.mlv.data.Digests.datasetDigest(out.digest()), "mlv", source.toString());
    }

    public DatasetRef withContext(String newContext) {
        return new DatasetRef(name, digest, sourceType, source, schema, profile, newContext);
    }

    public DatasetRef withSchema(String newSchema) {
        return new DatasetRef(name, digest, sourceType, source, newSchema, profile, context);
    }

    public DatasetRef withProfile(String newProfile) {
        return new DatasetRef(name, digest, sourceType, source, schema, newProfile, context);
    }

    /** MLflow's {@code DatasetInput} JSON: {@code {"tags": [...], "dataset": {...}}}. */
    public ObjectNode toDatasetInputJson() {
        ObjectNode input = RestClient.object();
        var tags = input.putArray("tags");
        if (context != null && !context.isBlank()) tags.addObject().put("key", CONTEXT_TAG).put("value", context);
        ObjectNode ds = input.putObject("dataset");
        ds.put("name", name).put("digest", digest).put("source_type", sourceType).put("source", source);
        if (schema != null) ds.put("schema", schema);
        if (profile != null) ds.put("profile", profile);
        return input;
    }

    private static void require(String value, String field) {
        if (value == null || value.isBlank()) throw MlvException.invalid("Dataset " + field + " must not be empty");
    }
}
