package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.cli.Output;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Runs as CSV (RFC 4180), as MLflow's {@code mlflow experiments csv} writes them: the run's info columns, then one
 * {@code params.<key>}, {@code metrics.<key>} (latest value) and {@code tags.<key>} column per key found in any run,
 * sorted; empty where a run has no value.
 */
final class RunsCsv {
    private static final List<String> INFO = List.of("run_id", "experiment_id", "run_name", "status", "start_time",
            "end_time", "artifact_uri", "lifecycle_stage");

    private RunsCsv() {
    }

    static String of(JsonNode runs) {
        List<Map<String, String>> rows = new ArrayList<>();
        TreeSet<String> params = new TreeSet<>(), metrics = new TreeSet<>(), tags = new TreeSet<>();
        for (JsonNode run : runs) {
            Map<String, String> row = new LinkedHashMap<>();
            for (String f : INFO) row.put(f, Output.text(run.path("info"), f));
            collect(run.at("/data/params"), "params.", params, row);
            collect(run.at("/data/metrics"), "metrics.", metrics, row);
            collect(run.at("/data/tags"), "tags.", tags, row);
            rows.add(row);
        }
        List<String> columns = new ArrayList<>(INFO);
        params.forEach(columns::add);
        metrics.forEach(columns::add);
        tags.forEach(columns::add);
        StringBuilder out = new StringBuilder();
        line(out, columns);
        for (Map<String, String> row : rows) line(out, columns.stream().map(c -> row.getOrDefault(c, "")).toList());
        return out.toString();
    }

    private static void collect(JsonNode entries, String prefix, TreeSet<String> columns, Map<String, String> row) {
        for (JsonNode kv : entries) {
            String column = prefix + kv.path("key").asText();
            columns.add(column);
            row.put(column, kv.path("value").asText());
        }
    }

    private static void line(StringBuilder out, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) out.append(',');
            String c = cells.get(i);
            boolean quote = c.indexOf(',') >= 0 || c.indexOf('"') >= 0 || c.indexOf('\n') >= 0 || c.indexOf('\r') >= 0;
            out.append(quote ? '"' + c.replace("\"", "\"\"") + '"' : c);
        }
        out.append("\r\n");
    }
}
