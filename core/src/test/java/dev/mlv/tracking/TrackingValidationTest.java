package dev.mlv.tracking;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrackingValidationTest {

    @Test
    void keys() {
        assertThatCode(() -> TrackingValidation.key("metric", "a/b.c-d e_f")).doesNotThrowAnyException();
        assertThatThrownBy(() -> TrackingValidation.key("metric", "a$b")).hasMessageContaining("Invalid metric name");
        assertThatThrownBy(() -> TrackingValidation.key("param", "/abs")).hasMessageContaining("must not resolve");
        assertThatThrownBy(() -> TrackingValidation.key("param", "a/../b")).hasMessageContaining("'b'");
        assertThatThrownBy(() -> TrackingValidation.key("param", "a//b")).hasMessageContaining("must not resolve");
        assertThatThrownBy(() -> TrackingValidation.key("tag", "x".repeat(251))).hasMessageContaining("length limit of 250");
        assertThatThrownBy(() -> TrackingValidation.key("tag", "")).hasMessageContaining("Missing");
    }

    @Test
    void valuesAndNames() {
        assertThatCode(() -> TrackingValidation.param(new Param("p", "v".repeat(6000)))).doesNotThrowAnyException();
        assertThatThrownBy(() -> TrackingValidation.param(new Param("p", "v".repeat(6001)))).hasMessageContaining("6000");
        assertThatThrownBy(() -> TrackingValidation.runTag(new Tag("t", "v".repeat(5001)))).hasMessageContaining("5000");
        assertThatCode(() -> TrackingValidation.experimentTag(new Tag("t", "v".repeat(5001)))).doesNotThrowAnyException();
        assertThatThrownBy(() -> TrackingValidation.experimentName("n".repeat(501))).hasMessageContaining("500");
        assertThatThrownBy(() -> TrackingValidation.experimentName("")).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> TrackingValidation.runId("../x")).hasMessageContaining("run_id");
        assertThatCode(() -> TrackingValidation.runId("0123456789abcdef0123456789abcdef")).doesNotThrowAnyException();
    }

    @Test
    void batchLimits() {
        List<Metric> m = new ArrayList<>(Collections.nCopies(1001, new Metric("m", 1, 1, 0)));
        assertThatThrownBy(() -> TrackingValidation.batch(m, List.of(), List.of())).hasMessageContaining("at most 1000 metrics");
        List<Param> p = new ArrayList<>();
        for (int i = 0; i < 101; i++) p.add(new Param("p" + i, "v"));
        assertThatThrownBy(() -> TrackingValidation.batch(List.of(), p, List.of())).hasMessageContaining("at most 100 params");
        List<Tag> t = new ArrayList<>(Collections.nCopies(101, new Tag("t", "v")));
        assertThatThrownBy(() -> TrackingValidation.batch(List.of(), List.of(), t)).hasMessageContaining("at most 100 tags");
        List<Metric> m2 = new ArrayList<>(Collections.nCopies(950, new Metric("m", 1, 1, 0)));
        assertThatThrownBy(() -> TrackingValidation.batch(m2, p.subList(0, 60), List.of())).hasMessageContaining("1000 total");
        assertThatThrownBy(() -> TrackingValidation.batch(List.of(), List.of(new Param("a", "1"), new Param("a", "1")), List.of()))
                .hasMessageContaining("Duplicate parameter keys have been submitted: [a]");
    }
}
