package dev.mlv.serving.registry;

import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelUri;

/**
 * A model URI as given to {@code mlv models serve -m}: {@code models:/name/version}, {@code models:/name/stage},
 * {@code models:/name/latest}, {@code models:/name@alias}, {@code models:/<model_id>} (an MLflow 3 logged model),
 * {@code runs:/run_id/path}, or a local directory.
 * Stage, alias and latest URIs <em>move</em>: the server follows them.
 */
public record ModelRef(String uri, Kind kind) {
    public enum Kind { MODEL_VERSION, MODEL_MOVING, LOGGED_MODEL, RUN, LOCAL }

    public static ModelRef parse(String uri) {
        if (uri == null || uri.isBlank()) throw MlvException.invalid("Model URI is empty");
        String u = uri.trim();
        if (u.startsWith("models:")) {
            String rest = u.substring("models:".length());
            if (!rest.startsWith("/") || rest.length() < 2) throw bad(u);
            rest = rest.replaceFirst("^/+", "");
            if (rest.contains("@")) {
                int at = rest.lastIndexOf('@');
                if (at == 0 || at == rest.length() - 1 || rest.substring(at).contains("/")) throw bad(u);
                return new ModelRef(u, Kind.MODEL_MOVING);
            }
            int slash = rest.lastIndexOf('/');
            if (slash < 0 && ModelUri.isModelId(rest)) return new ModelRef(u, Kind.LOGGED_MODEL);
            if (slash <= 0 || slash == rest.length() - 1) throw bad(u);
            String suffix = rest.substring(slash + 1);
            return new ModelRef(u, suffix.matches("\\d+") ? Kind.MODEL_VERSION : Kind.MODEL_MOVING);
        }
        if (u.startsWith("runs:")) {
            String rest = u.substring("runs:".length()).replaceFirst("^/+", "");
            int slash = rest.indexOf('/');
            if (slash <= 0) throw MlvException.invalid("Invalid run URI '" + u + "': expected runs:/<run_id>/<artifact_path>");
            return new ModelRef(u, Kind.RUN);
        }
        if (u.startsWith("file:")) return new ModelRef(java.nio.file.Path.of(java.net.URI.create(u)).toString(), Kind.LOCAL);
        if (u.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*") && !u.matches("^[a-zA-Z]:[/\\\\].*")) {
            throw MlvException.invalid("Unsupported model URI scheme in '" + u + "'; use models:/, runs:/ or a local directory");
        }
        return new ModelRef(u, Kind.LOCAL);
    }

    public boolean moves() {
        return kind == Kind.MODEL_MOVING;
    }

    /** For {@code models:/<model_id>}: the logged model's id. */
    public String modelId() {
        return uri.substring("models:".length()).replaceFirst("^/+", "");
    }

    /** For {@code runs:/id/path}: the run id. */
    public String runId() {
        String rest = uri.substring("runs:".length()).replaceFirst("^/+", "");
        return rest.substring(0, rest.indexOf('/'));
    }

    /** For {@code runs:/id/path}: the artifact path inside the run. */
    public String runPath() {
        String rest = uri.substring("runs:".length()).replaceFirst("^/+", "");
        return rest.substring(rest.indexOf('/') + 1).replaceAll("/+$", "");
    }

    private static MlvException bad(String u) {
        return MlvException.invalid("Invalid model URI '" + u + "': expected models:/<name>/<version|stage|latest>, "
                + "models:/<name>@<alias> or models:/<model_id>");
    }
}
