package dev.mlv.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.MlvException;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A parsed model URI — the one parser used by the server, the CLI and serving:
 * <ul>
 *   <li>{@code models:/<name>/<version>} → {@link Kind#VERSION}</li>
 *   <li>{@code models:/<name>/<stage>} (any case) → {@link Kind#STAGE}</li>
 *   <li>{@code models:/<name>/latest} (any case) → {@link Kind#LATEST}</li>
 *   <li>{@code models:/<name>@<alias>} → {@link Kind#ALIAS}</li>
 *   <li>{@code runs:/<run_id>/<path>} → {@link Kind#RUN}, {@code path} validated by {@link ArtifactPath}</li>
 *   <li>{@code models:/<model_id>} (one segment, e.g. {@code models:/m-0123…}) → {@link Kind#LOGGED_MODEL}, an MLflow 3
 *       logged model</li>
 * </ul>
 * Names follow {@link RegistryRules#name}, aliases {@link RegistryRules#alias}; anything else is
 * {@code INVALID_PARAMETER_VALUE}.
 */
public record ModelUri(Kind kind, String name, String version, Stage stage, String alias, String runId,
                       ArtifactPath path, String modelId) {
    private static final Pattern RUN_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$");
    private static final Pattern MODEL_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,35}$");

    public enum Kind { VERSION, STAGE, LATEST, ALIAS, RUN, LOGGED_MODEL }

    public static ModelUri parse(String uri) {
        if (uri == null || uri.isEmpty()) throw MlvException.invalid("Model URI cannot be empty");
        String lower = uri.toLowerCase(Locale.ROOT);
        if (lower.startsWith("models:/")) return parseModels(uri, uri.substring("models:/".length()));
        if (lower.startsWith("runs:/")) return parseRuns(uri, uri.substring("runs:/".length()));
        throw bad(uri, "expected models:/<name>/<version|stage|latest>, models:/<name>@<alias> or runs:/<run_id>/<path>");
    }

    private static ModelUri parseModels(String uri, String rest) {
        if (rest.startsWith("/")) throw bad(uri, "a models:/ URI has no authority");
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String name = rest.substring(0, slash);
            String suffix = rest.substring(slash + 1);
            checkName(uri, name);
            if (suffix.isEmpty()) throw bad(uri, "missing version, stage or 'latest' after the name");
            if (suffix.chars().allMatch(Character::isDigit)) {
                return new ModelUri(Kind.VERSION, name, RegistryRules.version(stripZeros(uri, suffix)), null, null, null, null, null);
            }
            if (suffix.equalsIgnoreCase("latest")) return new ModelUri(Kind.LATEST, name, null, null, null, null, null, null);
            Stage st = Stage.find(suffix);
            if (st != null && suffix.equals(suffix.trim())) return new ModelUri(Kind.STAGE, name, null, st, null, null, null, null);
            throw bad(uri, "'" + suffix + "' is not a version, a stage (None, Staging, Production, Archived) or 'latest'");
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String name = rest.substring(0, at);
            checkName(uri, name);
            String alias = rest.substring(at + 1);
            try {
                RegistryRules.alias(alias);
            } catch (MlvException e) {
                throw bad(uri, e.getMessage());
            }
            return new ModelUri(Kind.ALIAS, name, null, null, alias, null, null, null);
        }
        if (isModelId(rest)) return new ModelUri(Kind.LOGGED_MODEL, null, null, null, null, null, null, rest);
        throw bad(uri, "expected models:/<name>/<version|stage|latest>, models:/<name>@<alias> or models:/<model_id>");
    }

    /** Whether {@code s} is a well-formed logged-model id (MLflow 3's {@code m-<hex>}, or any id of that shape). */
    public static boolean isModelId(String s) {
        return s != null && MODEL_ID.matcher(s).matches();
    }

    private static String stripZeros(String uri, String digits) {
        String s = digits.replaceFirst("^0+(?=.)", "");
        if (s.equals("0")) throw bad(uri, "versions start at 1");
        return s;
    }

    private static void checkName(String uri, String name) {
        try {
            RegistryRules.name(name);
        } catch (MlvException e) {
            throw bad(uri, e.getMessage());
        }
    }

    private static ModelUri parseRuns(String uri, String rest) {
        if (rest.startsWith("/")) throw bad(uri, "a runs:/ URI has no authority");
        int slash = rest.indexOf('/');
        String runId = slash < 0 ? rest : rest.substring(0, slash);
        if (!RUN_ID.matcher(runId).matches()) throw bad(uri, "invalid run id '" + runId + "'");
        ArtifactPath path = ArtifactPath.parse(slash < 0 ? "" : rest.substring(slash + 1));
        return new ModelUri(Kind.RUN, null, null, null, null, runId, path, null);
    }

    private static MlvException bad(String uri, String why) {
        String shown = uri.length() > 200 ? uri.substring(0, 200) + "…" : uri;
        StringBuilder printable = new StringBuilder();
        shown.chars().forEach(c -> printable.append(Character.isISOControl(c) ? '?' : (char) c));
        return MlvException.invalid("Invalid model URI '" + printable + "': " + why);
    }

    /** The canonical text of this URI. */
    @Override
    public String toString() {
        return switch (kind) {
            case VERSION -> "models:/" + name + "/" + version;
            case STAGE -> "models:/" + name + "/" + stage.display();
            case LATEST -> "models:/" + name + "/latest";
            case ALIAS -> "models:/" + name + "@" + alias;
            case RUN -> "runs:/" + runId + (path.isRoot() ? "" : "/" + path);
            case LOGGED_MODEL -> "models:/" + modelId;
        };
    }
}
