package dev.mlv.tracking;

import dev.mlv.errors.MlvException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * MLflow's rules for tracking inputs (mlflow/utils/validation.py): key names, value lengths, run ids, experiment names
 * and log-batch limits. Every violation is an {@code INVALID_PARAMETER_VALUE} {@link MlvException}.
 */
public final class TrackingValidation {
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_RUN_TAG_VALUE_LENGTH = 5000;
    /** The proto guarantees at least 20,000 bytes for experiment tag values. */
    public static final int MAX_EXPERIMENT_TAG_VALUE_LENGTH = 20_000;
    public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;
    public static final int MAX_RUN_NAME_LENGTH = 250;
    public static final int MAX_BATCH_METRICS = 1000;
    public static final int MAX_BATCH_PARAMS = 100;
    public static final int MAX_BATCH_TAGS = 100;
    public static final int MAX_BATCH_ENTITIES = 1000;
    public static final int MAX_DATASET_NAME_LENGTH = 500;
    public static final int MAX_DATASET_DIGEST_LENGTH = 36;
    public static final int MAX_DATASET_SCHEMA_LENGTH = 1_048_575;
    public static final int MAX_DATASET_PROFILE_LENGTH = 16_777_215;
    public static final int MAX_DATASET_SOURCE_LENGTH = 65_535;

    private static final Pattern KEY = Pattern.compile("^[/\\w.\\- ]*$", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern RUN_ID = Pattern.compile("^[a-zA-Z0-9][\\w\\-]{0,255}$");
    private static final Pattern EXPERIMENT_ID = Pattern.compile("^[0-9]{1,18}$");

    private TrackingValidation() {
    }

    /** A metric, param or tag key: non-empty, ≤ 250 characters, {@code [/\w.\- ]}, and not escaping its folder. */
    public static void key(String kind, String key) {
        if (key == null || key.isEmpty()) {
            throw MlvException.invalid("Missing value for required parameter '" + kind + " key'");
        }
        if (!KEY.matcher(key).matches()) {
            throw MlvException.invalid("Invalid " + kind + " name: '" + key + "'. Names may only contain alphanumerics, "
                    + "underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
        }
        if (!isPathConsistent(key)) {
            throw MlvException.invalid("Invalid " + kind + " name: '" + key + "'. Names may be treated as files in "
                    + "certain cases, and must not resolve to other names when treated as such. This name would "
                    + "resolve to '" + normalize(key) + "'");
        }
        length(kind + " key", key, MAX_KEY_LENGTH);
    }

    public static void param(Param p) {
        if (p == null) throw MlvException.invalid("Missing param");
        key("param", p.key());
        if (p.value() == null) throw MlvException.invalid("Missing value for param '" + p.key() + "'");
        length("Param value", p.value(), MAX_PARAM_VALUE_LENGTH);
    }

    public static void runTag(Tag t) {
        if (t == null) throw MlvException.invalid("Missing tag");
        key("tag", t.key());
        if (t.value() == null) throw MlvException.invalid("Missing value for tag '" + t.key() + "'");
        length("Tag value", t.value(), MAX_RUN_TAG_VALUE_LENGTH);
    }

    public static void experimentTag(Tag t) {
        if (t == null) throw MlvException.invalid("Missing tag");
        key("tag", t.key());
        if (t.value() == null) throw MlvException.invalid("Missing value for tag '" + t.key() + "'");
        length("Tag value", t.value(), MAX_EXPERIMENT_TAG_VALUE_LENGTH);
    }

    public static void metric(Metric m) {
        if (m == null) throw MlvException.invalid("Missing metric");
        key("metric", m.key());
    }

    public static void experimentName(String name) {
        if (name == null || name.isEmpty()) {
            throw MlvException.invalid("Invalid experiment name: '" + (name == null ? "" : name)
                    + "'. Experiment name must be a non-empty string");
        }
        length("Experiment name", name, MAX_EXPERIMENT_NAME_LENGTH);
    }

    public static void runName(String name) {
        if (name != null) length("Run name", name, MAX_RUN_NAME_LENGTH);
    }

    public static void runId(String runId) {
        if (runId == null || runId.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'run_id'");
        if (!RUN_ID.matcher(runId).matches()) {
            throw MlvException.invalid("Invalid value '" + runId + "' for parameter 'run_id' supplied.");
        }
    }

    /** True when {@code experimentId} can name an experiment (a decimal id); unknown ids are not checked here. */
    public static boolean isExperimentId(String experimentId) {
        return experimentId != null && EXPERIMENT_ID.matcher(experimentId).matches();
    }

    public static void dataset(Dataset d) {
        if (d == null) throw MlvException.invalid("Missing dataset");
        if (d.name() == null || d.name().isEmpty()) throw MlvException.invalid("Missing value for required parameter 'dataset.name'");
        if (d.digest() == null || d.digest().isEmpty()) throw MlvException.invalid("Missing value for required parameter 'dataset.digest'");
        if (d.sourceType() == null || d.sourceType().isEmpty()) throw MlvException.invalid("Missing value for required parameter 'dataset.source_type'");
        if (d.source() == null || d.source().isEmpty()) throw MlvException.invalid("Missing value for required parameter 'dataset.source'");
        length("Dataset name", d.name(), MAX_DATASET_NAME_LENGTH);
        length("Dataset digest", d.digest(), MAX_DATASET_DIGEST_LENGTH);
        length("Dataset source", d.source(), MAX_DATASET_SOURCE_LENGTH);
        if (d.schema() != null) length("Dataset schema", d.schema(), MAX_DATASET_SCHEMA_LENGTH);
        if (d.profile() != null) length("Dataset profile", d.profile(), MAX_DATASET_PROFILE_LENGTH);
    }

    /**
     * MLflow's log-batch rules: at most 1000 metrics, 100 params, 100 tags and 1000 entities in all; no param key twice;
     * every key and value valid.
     */
    public static void batch(List<Metric> metrics, List<Param> params, List<Tag> tags) {
        int nm = metrics.size(), np = params.size(), nt = tags.size();
        if (nm > MAX_BATCH_METRICS) {
            throw MlvException.invalid("A batch logging request can contain at most " + MAX_BATCH_METRICS
                    + " metrics. Got " + nm + " metrics. Please split up metrics across multiple requests and try again.");
        }
        if (np > MAX_BATCH_PARAMS) {
            throw MlvException.invalid("A batch logging request can contain at most " + MAX_BATCH_PARAMS
                    + " params. Got " + np + " params. Please split up params across multiple requests and try again.");
        }
        if (nt > MAX_BATCH_TAGS) {
            throw MlvException.invalid("A batch logging request can contain at most " + MAX_BATCH_TAGS
                    + " tags. Got " + nt + " tags. Please split up tags across multiple requests and try again.");
        }
        if (nm + np + nt > MAX_BATCH_ENTITIES) {
            throw MlvException.invalid("A batch logging request can contain at most " + MAX_BATCH_ENTITIES
                    + " total metrics, params, and tags. Got " + (nm + np + nt)
                    + " in total. Please split up entities across multiple requests and try again.");
        }
        Set<String> seen = new LinkedHashSet<>();
        List<String> dup = new ArrayList<>();
        for (Param p : params) {
            if (p != null && !seen.add(p.key()) && !dup.contains(p.key())) dup.add(p.key());
        }
        if (!dup.isEmpty()) {
            throw MlvException.invalid("Duplicate parameter keys have been submitted: " + dup
                    + ". Please ensure the request contains only one param value per param key.");
        }
        Set<String> validKeys = new java.util.HashSet<>(); // a batch repeats few keys many times: check each once
        for (Metric m : metrics) {
            if (m == null || !validKeys.contains(m.key())) {
                metric(m);
                validKeys.add(m.key());
            }
        }
        params.forEach(TrackingValidation::param);
        tags.forEach(TrackingValidation::runTag);
    }

    private static void length(String what, String value, int limit) {
        if (value.length() > limit) {
            String shown = value.length() > 250 ? value.substring(0, 250) + "..." : value;
            throw MlvException.invalid(what + " '" + shown + "' had length " + value.length()
                    + ", which exceeded length limit of " + limit);
        }
    }

    /** As MLflow: a key must not change under path normalisation ({@code a/../b}, {@code ./a}, {@code a//b}), be {@code .}, or start with {@code ..} or {@code /}. */
    static boolean isPathConsistent(String key) {
        String norm = normalize(key);
        return norm.equals(key) && !norm.equals(".") && !norm.startsWith("..") && !norm.startsWith("/");
    }

    private static String normalize(String key) {
        boolean leadingSlash = key.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : key.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) out.remove(out.size() - 1);
                else if (!leadingSlash) out.add("..");
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (leadingSlash) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }
}
