package dev.mlv.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How commands print: aligned tables and key/value blocks for people, pretty JSON for scripts. Write through this
 * (it wraps the command's own stdout) so tests can capture the output.
 */
public final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final PrintWriter out;

    public Output(PrintWriter out) {
        this.out = out;
    }

    public PrintWriter writer() {
        return out;
    }

    public void println(String line) {
        out.println(line);
        out.flush();
    }

    /** Pretty JSON of a Jackson tree, a record, a map or a list. */
    public void json(Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getOriginalMessage(), e);
        }
        out.flush();
    }

    /** An aligned table with a header row; {@code null} cells print empty; prints "(none)" for no rows. */
    public void table(List<String> headers, List<List<String>> rows) {
        out.print(formatTable(headers, rows));
        out.flush();
    }

    public void table(List<String> headers, List<List<String>> rows, String emptyMessage) {
        if (rows.isEmpty()) println(emptyMessage);
        else table(headers, rows);
    }

    /** Lines of {@code key: value}, keys padded to one width. */
    public void keyValues(Map<String, ?> entries) {
        int w = entries.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (var e : entries.entrySet()) {
            out.println(pad(e.getKey() + ":", w + 1) + " " + (e.getValue() == null ? "" : e.getValue()));
        }
        out.flush();
    }

    /** A titled section: a heading, then indented lines, or "(none)". */
    public void section(String title, Map<String, ?> entries) {
        out.println(title + ":");
        if (entries.isEmpty()) {
            out.println("  (none)");
        } else {
            int w = entries.keySet().stream().mapToInt(String::length).max().orElse(0);
            for (var e : entries.entrySet()) {
                out.println("  " + pad(e.getKey(), w) + "  " + (e.getValue() == null ? "" : e.getValue()));
            }
        }
        out.flush();
    }

    public static String formatTable(List<String> headers, List<List<String>> rows) {
        int n = headers.size();
        int[] w = new int[n];
        for (int i = 0; i < n; i++) w[i] = headers.get(i).length();
        List<List<String>> clean = new ArrayList<>(rows.size());
        for (List<String> r : rows) {
            List<String> c = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String cell = i < r.size() && r.get(i) != null ? r.get(i).replaceAll("\\R", " ") : "";
                c.add(cell);
                w[i] = Math.max(w[i], cell.length());
            }
            clean.add(c);
        }
        StringBuilder sb = new StringBuilder();
        appendRow(sb, headers, w);
        String[] rule = new String[n];
        for (int i = 0; i < n; i++) rule[i] = "-".repeat(w[i]);
        appendRow(sb, Arrays.asList(rule), w);
        for (List<String> r : clean) appendRow(sb, r, w);
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> cells, int[] w) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            if (i > 0) line.append("  ");
            line.append(i == w.length - 1 ? cells.get(i) : pad(cells.get(i), w[i]));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** A local date-time for milliseconds since the epoch; empty for null or 0. */
    public static String time(Long millis) {
        return millis == null || millis == 0 ? "" : TIME.format(Instant.ofEpochMilli(millis));
    }

    /** The text of a JSON field, or empty when absent. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? "" : v.asText();
    }

    /** MLflow's list of {@code {key, value}} objects as an ordered map. */
    public static Map<String, String> keyValueList(JsonNode list) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode kv : list) m.put(kv.path("key").asText(), kv.path("value").asText());
        return m;
    }
}
