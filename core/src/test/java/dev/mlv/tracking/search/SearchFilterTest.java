package dev.mlv.tracking.search;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchFilterTest {

    @Test
    void emptyFilterHasNoClauses() {
        assertThat(SearchFilter.parseRunFilter(null)).isEmpty();
        assertThat(SearchFilter.parseRunFilter("   ")).isEmpty();
    }

    @Test
    void parsesEveryEntityTypeAndAlias() {
        List<Clause> c = SearchFilter.parseRunFilter(
                "metrics.m1 > 0.5 and params.p1 = 'x' AND tags.\"mlflow.user\" LIKE 'a%' and attributes.status != 'FAILED'"
                        + " and metric.m2 <= -1e-3 and parameter.p2 ILIKE \"%Y%\" and tag.`my key` = 'v'"
                        + " and attr.run_id IN ('a', 'b') and run.created >= 10 and datasets.name NOT IN ('d1')"
                        + " and dataset.context = 'training' and start_time < 99 and `params`.`a b` = 'c'");
        assertThat(c).containsExactly(
                new Clause(EntityType.METRIC, "m1", Comparator.GT, new Value.Number(0.5)),
                new Clause(EntityType.PARAM, "p1", Comparator.EQ, new Value.Text("x")),
                new Clause(EntityType.TAG, "mlflow.user", Comparator.LIKE, new Value.Text("a%")),
                new Clause(EntityType.ATTRIBUTE, "status", Comparator.NE, new Value.Text("FAILED")),
                new Clause(EntityType.METRIC, "m2", Comparator.LE, new Value.Number(-1e-3)),
                new Clause(EntityType.PARAM, "p2", Comparator.ILIKE, new Value.Text("%Y%")),
                new Clause(EntityType.TAG, "my key", Comparator.EQ, new Value.Text("v")),
                new Clause(EntityType.ATTRIBUTE, "run_id", Comparator.IN, new Value.TextList(List.of("a", "b"))),
                new Clause(EntityType.ATTRIBUTE, "start_time", Comparator.GE, new Value.Number(10)),
                new Clause(EntityType.DATASET, "name", Comparator.NOT_IN, new Value.TextList(List.of("d1"))),
                new Clause(EntityType.DATASET, "context", Comparator.EQ, new Value.Text("training")),
                new Clause(EntityType.ATTRIBUTE, "start_time", Comparator.LT, new Value.Number(99)),
                new Clause(EntityType.PARAM, "a b", Comparator.EQ, new Value.Text("c")));
    }

    @Test
    void keysMayContainDotsAndQuotesEscapeByDoubling() {
        List<Clause> c = SearchFilter.parseRunFilter("tags.mlflow.runName='it''s'");
        assertThat(c).containsExactly(new Clause(EntityType.TAG, "mlflow.runName", Comparator.EQ, new Value.Text("it's")));
    }

    @Test
    void badComparatorPointsAtIt() {
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("metrics.m1 ~ 0.5"))
                .isInstanceOf(MlvException.class)
                .hasMessageContaining("Invalid comparator '~' at position 11")
                .satisfies(e -> assertThat(((MlvException) e).code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }

    @Test
    void orIsRejected() {
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.a = 'x' OR params.b = 'y'"))
                .hasMessageContaining("'OR'").hasMessageContaining("position 15");
    }

    @Test
    void typingRulesAsMlflow() {
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("metrics.m = 'x'"))
                .hasMessageContaining("Expected a numeric value for metric 'm'").hasMessageContaining("position 12");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.p = 1"))
                .hasMessageContaining("Expected a quoted string value for param 'p'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("tags.t > 'a'"))
                .hasMessageContaining("Invalid comparator '>' for tag 't'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("metrics.m LIKE '1'"))
                .hasMessageContaining("Invalid comparator 'LIKE' for metric 'm'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("attributes.status IN ('A')"))
                .hasMessageContaining("only the 'run_id' attribute supports IN");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("attributes.start_time = 'x'"))
                .hasMessageContaining("Expected a numeric value for attribute 'start_time'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.p IN ('a')"))
                .hasMessageContaining("Invalid comparator 'IN' for param 'p'");
    }

    @Test
    void unknownNamesAndSyntaxErrors() {
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("foo.bar = 'x'"))
                .hasMessageContaining("Invalid entity type 'foo' at position 0");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("attributes.nope = 'x'"))
                .hasMessageContaining("Invalid attribute key 'nope'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("datasets.size = 'x'"))
                .hasMessageContaining("Invalid dataset key 'size'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.p = 'x"))
                .hasMessageContaining("Unterminated quoted string").hasMessageContaining("position 11");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.p = 'x' and"))
                .hasMessageContaining("Expected a clause after 'AND'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("params.p = 'x' params.q = 'y'"))
                .hasMessageContaining("Expected 'AND' but found 'params.q'");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("run_id IN ()"))
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("run_id IN 'a'"))
                .hasMessageContaining("parenthesised list");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("metrics.m >"))
                .hasMessageContaining("Expected a value but the filter ended");
        assertThatThrownBy(() -> SearchFilter.parseRunFilter("metrics.m > 0.5x"))
                .hasMessageContaining("Invalid value '0.5x'");
    }

    @Test
    void experimentFilter() {
        assertThat(SearchFilter.parseExperimentFilter("name LIKE 'a%' and tags.k = 'v' and creation_time > 5"))
                .containsExactly(
                        new Clause(EntityType.ATTRIBUTE, "name", Comparator.LIKE, new Value.Text("a%")),
                        new Clause(EntityType.TAG, "k", Comparator.EQ, new Value.Text("v")),
                        new Clause(EntityType.ATTRIBUTE, "creation_time", Comparator.GT, new Value.Number(5)));
        assertThatThrownBy(() -> SearchFilter.parseExperimentFilter("metrics.m > 1"))
                .hasMessageContaining("Invalid entity type for experiments");
        assertThatThrownBy(() -> SearchFilter.parseExperimentFilter("run_id = 'x'"))
                .hasMessageContaining("Invalid attribute key 'run_id'");
    }

    @Test
    void orderBy() {
        assertThat(SearchFilter.parseRunOrderBy(List.of("metrics.m DESC", "params.`p q` asc", "start_time", "attributes.created DESC")))
                .containsExactly(new OrderBy(EntityType.METRIC, "m", false), new OrderBy(EntityType.PARAM, "p q", true),
                        new OrderBy(EntityType.ATTRIBUTE, "start_time", true), new OrderBy(EntityType.ATTRIBUTE, "start_time", false));
        assertThat(SearchFilter.parseExperimentOrderBy(List.of("experiment_id DESC")))
                .containsExactly(new OrderBy(EntityType.ATTRIBUTE, "experiment_id", false));
        assertThatThrownBy(() -> SearchFilter.parseRunOrderBy(List.of("metrics.m DOWN")))
                .hasMessageContaining("expected ASC or DESC but found 'DOWN'");
        assertThatThrownBy(() -> SearchFilter.parseRunOrderBy(List.of("datasets.name")))
                .hasMessageContaining("datasets cannot be used in order_by");
        assertThatThrownBy(() -> SearchFilter.parseExperimentOrderBy(List.of("tags.x")))
                .hasMessageContaining("experiments can only be ordered by");
    }

    @Test
    void pageTokensRoundTripAndAreValidated() {
        String fp = PageToken.fingerprint("f", List.of("o"));
        String t = PageToken.encode(1234, fp);
        assertThat(PageToken.decode(t, fp)).isEqualTo(1234);
        assertThat(PageToken.decode(null, fp)).isZero();
        assertThatThrownBy(() -> PageToken.decode("%%%", fp)).hasMessageContaining("not base64");
        assertThatThrownBy(() -> PageToken.decode("eyJ4IjoxfQ", fp)).hasMessageContaining("not issued by this server");
        assertThatThrownBy(() -> PageToken.decode(t, PageToken.fingerprint("other")))
                .hasMessageContaining("another filter");
    }
}
