package dev.mlv.serving;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming fast path for {@code dataframe_split} reads exactly what the general (tree) path reads, or stands aside. */
class InputParserTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"dataframe_split\": {\"columns\": [\"f0\",\"f1\",\"f2\",\"f3\"], \"data\": [[5.1, 3.5, 1.4, 0.2]]}}",
            "{\"dataframe_split\": {\"data\": [[1, -2, 3e2, 9223372036854775807]], \"columns\": [\"a\",\"b\",\"c\",\"d\"]}}",
            "{\"dataframe_split\": {\"index\": [0, 1], \"columns\": [\"s\",\"t\",\"n\"], \"data\": [[\"x\", true, null], [\"y\", false, 2.5]]}}",
            "{\"dataframe_split\": {\"data\": [[1.5, 2], [3, 4.25]]}}",
            "{\"dataframe_split\": {\"columns\": [\"only\"], \"data\": [1, 2.5, 3]}}",
            " { \"dataframe_split\" : { \"columns\" : [ ] , \"data\" : [ [ 0.0 ] ] } } ",
    })
    void fastPathMatchesTheGeneralPath(String body) {
        ScoringInput.Table fast = InputParser.fastSplit(b(body));
        assertThat(fast).isNotNull();
        ScoringInput general = InputParser.parseTree(b(body), null);
        assertThat(general).isInstanceOf(ScoringInput.Table.class);
        ScoringInput.Table g = (ScoringInput.Table) general;
        assertThat(fast.columns()).isEqualTo(g.columns());
        assertThat(fast.rows()).hasSameSizeAs(g.rows());
        for (int i = 0; i < fast.rows().size(); i++) assertThat(fast.rows().get(i)).containsExactly(g.rows().get(i));
        assertThat(fast.fromCsv()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[{\"x\": 1}]]}}",        // nested cell: general path errs
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[1]]}, \"params\": {}}", // params: general path
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[1]]}",                  // malformed
            "{\"dataframe_split\": {\"columns\": [1], \"data\": [[1]]}}",                     // non-string name
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[1]], \"data\": [[2]]}}",  // duplicate key
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[123456789012345678901234567890]]}}",
            "{\"dataframe_records\": [{\"a\": 1}]}",
            "{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[1]]}} trailing",
            "[]",
    })
    void otherBodiesAreLeftToTheGeneralPath(String body) {
        assertThat(InputParser.fastSplit(b(body))).isNull();
    }

    @Test
    void raggedRowsAndColumnMismatchesAreStillRejected() {
        assertThatThrownBy(() -> InputParser.parseJson(b("{\"dataframe_split\": {\"columns\": [\"a\",\"b\"], \"data\": [[1, 2], [3]]}}"), null))
                .hasMessageContaining("Row 1 of 'dataframe_split' has 1 values, row 0 has 2");
        assertThatThrownBy(() -> InputParser.parseJson(b("{\"dataframe_split\": {\"columns\": [\"a\",\"b\"], \"data\": [[1, 2, 3]]}}"), null))
                .hasMessageContaining("has 2 columns but rows of 3 values");
        assertThatThrownBy(() -> InputParser.parseJson(b("{\"dataframe_split\": {\"columns\": [\"a\"], \"data\": [[{\"x\": 1}]]}}"), null))
                .hasMessageContaining("must be a scalar");
        ScoringInput.Table t = (ScoringInput.Table) InputParser.parseJson(b("{\"dataframe_split\": {\"data\": [[1, 2]]}}"), null);
        assertThat(t.columns()).isEqualTo(List.of("0", "1"));
        assertThat(t.rows().get(0)).containsExactly(1L, 2L);
    }
}
