package dev.mlv.server.tracking;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Tag;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The fast path of {@code runs/log-batch}: reads the body with Jackson's streaming parser straight into
 * {@link Metric}, {@link Param} and {@link Tag} records, without building a JSON tree and copying it. It accepts only
 * the plain form every client sends (string keys, values and run id, numeric metric values, integer timestamps and
 * steps; unknown fields are skipped) and answers {@code null} for anything else (a malformed body, a missing run id
 * or metric value, numbers as strings, a body that is a JSON string, a repeated list...), so the caller reads that
 * body the general way ({@link dev.mlv.server.MlflowRequest}), which accepts every proto-JSON form and words the
 * errors as MLflow does. Neither path validates keys or limits: the store does that, once.
 */
final class LogBatchJson {
    /** A log-batch request read by the fast path. */
    record Batch(String runId, List<Metric> metrics, List<Param> params, List<Tag> tags) {
    }

    private LogBatchJson() {
    }

    /** The batch in {@code body}, or null when the body is not in the plain form. */
    static Batch parse(byte[] body, ObjectMapper json) {
        try (JsonParser p = json.createParser(body)) {
            p.enable(JsonParser.Feature.USE_FAST_DOUBLE_PARSER); // correctly rounded, as Double.parseDouble, but faster
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            String runId = null;
            String runUuid = null;
            List<Metric> metrics = null;
            List<Param> params = null;
            List<Tag> tags = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "run_id" -> {
                        if (v != JsonToken.VALUE_STRING) return null;
                        runId = p.getText();
                    }
                    case "run_uuid" -> {
                        if (v != JsonToken.VALUE_STRING) return null;
                        runUuid = p.getText();
                    }
                    case "metrics" -> {
                        if (metrics != null || v != JsonToken.START_ARRAY) return null;
                        metrics = metrics(p);
                        if (metrics == null) return null;
                    }
                    case "params" -> {
                        if (params != null || v != JsonToken.START_ARRAY) return null;
                        params = new ArrayList<>();
                        if (!keyValues(p, params, true)) return null;
                    }
                    case "tags" -> {
                        if (tags != null || v != JsonToken.START_ARRAY) return null;
                        tags = new ArrayList<>();
                        if (!keyValues(p, tags, false)) return null;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) return null;
            String id = runId == null || runId.isEmpty() ? runUuid : runId;
            if (id == null || id.isEmpty()) return null;
            return new Batch(id, metrics == null ? List.of() : metrics, params == null ? List.of() : params,
                    tags == null ? List.of() : tags);
        } catch (IOException | RuntimeException e) {
            return null; // the general path reports it
        }
    }

    private static List<Metric> metrics(JsonParser p) throws IOException {
        List<Metric> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) return null;
            String key = null;
            boolean hasValue = false;
            double value = 0;
            long timestamp = 0;
            long step = 0;
            for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "key" -> {
                        if (v != JsonToken.VALUE_STRING) return null;
                        key = p.getText();
                    }
                    case "value" -> {
                        if (v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_NUMBER_INT) return null;
                        value = p.getDoubleValue();
                        hasValue = true;
                    }
                    case "timestamp" -> {
                        if (!isLong(p, v)) return null;
                        timestamp = p.getLongValue();
                    }
                    case "step" -> {
                        if (!isLong(p, v)) return null;
                        step = p.getLongValue();
                    }
                    case "model_id", "dataset_name", "dataset_digest" -> {
                        return null; // a metric of a logged model: the general path
                    }
                    default -> p.skipChildren();
                }
            }
            if (!hasValue) return null;
            out.add(new Metric(key, value, timestamp, step));
        }
        return out;
    }

    private static boolean isLong(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER;
    }

    /** Params or tags: {@code key} and {@code value} strings, an absent value being empty. */
    @SuppressWarnings("unchecked")
    private static <T> boolean keyValues(JsonParser p, List<T> out, boolean params) throws IOException {
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) return false;
            String key = null;
            String value = null;
            for (JsonToken f = p.nextToken(); f != JsonToken.END_OBJECT; f = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "key" -> {
                        if (v != JsonToken.VALUE_STRING) return false;
                        key = p.getText();
                    }
                    case "value" -> {
                        if (v != JsonToken.VALUE_STRING) return false;
                        value = p.getText();
                    }
                    default -> p.skipChildren();
                }
            }
            String v = value == null ? "" : value;
            out.add((T) (params ? new Param(key, v) : new Tag(key, v)));
        }
        return true;
    }
}
