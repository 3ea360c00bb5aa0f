package dev.mlv.serving;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * A parsed {@code /invocations} body. A {@link Table} is what MLflow turns into a pandas DataFrame
 * ({@code dataframe_split}, {@code dataframe_records}, CSV, or row/column inputs for a column-based signature);
 * {@link Tensors} is the TF-serving tensor form ({@code instances} / {@code inputs}) for tensor models.
 */
public sealed interface ScoringInput {
    /**
     * Rows of cells under named columns. Cells are {@link Long}, {@link Double}, {@link String}, {@link Boolean} or
     * null; {@code fromCsv} means strings are raw CSV text to be read as the column's type.
     */
    record Table(List<String> columns, List<Object[]> rows, boolean fromCsv) implements ScoringInput {
    }

    /** Named tensors as JSON nested arrays; a single unnamed tensor has the name {@code null}. */
    record Tensors(Map<String, JsonNode> tensors) implements ScoringInput {
    }
}
