package dev.mlv.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OutputTest {
    @Test
    void tableAlignsColumnsAndCleansCells() {
        String t = Output.formatTable(List.of("ID", "NAME", "NOTE"),
                List.of(List.of("1", "short", "a"), Arrays.asList("1234", null, "two\nlines")));
        assertThat(t).isEqualTo("""
                ID    NAME   NOTE
                ----  -----  ---------
                1     short  a
                1234         two lines
                """);
    }

    @Test
    void emptyTablePrintsTheMessageAndJsonIsIndented() {
        StringWriter sw = new StringWriter();
        Output out = new Output(new PrintWriter(sw));
        out.table(List.of("A"), List.of(), "No runs.");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "x");
        m.put("n", 1);
        out.json(m);
        record R(String a, int b) { }
        out.json(new R("y", 2));
        assertThat(sw.toString()).startsWith("No runs.\n")
                .contains("{\n  \"name\" : \"x\",\n  \"n\" : 1\n}")
                .contains("\"a\" : \"y\"");
    }

    @Test
    void keyValuesAndSectionsPad() {
        StringWriter sw = new StringWriter();
        Output out = new Output(new PrintWriter(sw));
        Map<String, Object> kv = new LinkedHashMap<>();
        kv.put("Run ID", "abc");
        kv.put("Status", "FINISHED");
        out.keyValues(kv);
        out.section("Params", Map.of());
        assertThat(sw.toString()).isEqualTo("Run ID: abc\nStatus: FINISHED\nParams:\n  (none)\n");
        assertThat(Output.time(null)).isEmpty();
        assertThat(Output.time(0L)).isEmpty();
        assertThat(Output.time(86_400_000L)).matches("19\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
    }
}
