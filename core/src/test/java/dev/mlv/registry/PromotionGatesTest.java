package dev.mlv.registry;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metric gates of a promotion: each requirement's verdict and the words that explain it. */
class PromotionGatesTest {
    private static final PromotionGates.RunValues CANDIDATE =
            new PromotionGates.RunValues("2", Map.of("accuracy", 0.91, "loss", 0.2), Map.of("optimizer", "adam"));
    private static final PromotionGates.RunValues CURRENT =
            new PromotionGates.RunValues("1", Map.of("accuracy", 0.88, "loss", 0.1), Map.of());

    private static PromotionGates.Check one(String requirement, PromotionGates.RunValues candidate) {
        return PromotionGates.evaluate(List.of(requirement), List.of(), candidate, CURRENT, "Production").get(0);
    }

    @Test
    void requirementsPassOrFailOnTheCandidatesRun() {
        assertThat(one("metrics.accuracy >= 0.9 and params.optimizer = 'adam'", CANDIDATE).passed()).isTrue();
        PromotionGates.Check low = one("metrics.accuracy > 0.95", CANDIDATE);
        assertThat(low.passed()).isFalse();
        assertThat(low.detail()).isEqualTo("accuracy = 0.91 does not satisfy > 0.95");
        assertThat(one("params.optimizer != 'adam'", CANDIDATE).passed()).isFalse();
    }

    @Test
    void aMissingMetricNamesTheClosestOneOrThoseLogged() {
        assertThat(one("metrics.acuracy >= 0.8", CANDIDATE).detail())
                .isEqualTo("metric 'acuracy' was not logged by version 2's run; did you mean 'accuracy'?");
        assertThat(one("metrics.f1 >= 0.8", CANDIDATE).detail())
                .isEqualTo("metric 'f1' was not logged by version 2's run (it logged accuracy, loss)");
        assertThat(one("metrics.f1 >= 0.8", new PromotionGates.RunValues("3", Map.of(), Map.of())).detail())
                .isEqualTo("metric 'f1' was not logged by version 3's run (it logged no metrics)");
    }

    @Test
    void betterThanCurrentComparesWithTheVersionInTheStage() {
        List<PromotionGates.Check> checks = PromotionGates.evaluate(List.of(), List.of("accuracy", "loss:min", "metrics.los"),
                CANDIDATE, CURRENT, "Production");
        assertThat(checks).extracting(PromotionGates.Check::passed).containsExactly(true, false, false);
        assertThat(checks.get(1).gate()).isEqualTo("better than current Production: loss (lower is better)");
        assertThat(checks.get(2).detail()).endsWith("did you mean 'loss'?");
        assertThat(PromotionGates.evaluate(List.of(), List.of("accuracy"), CANDIDATE, null, "Production").get(0).detail())
                .isEqualTo("no version is in Production to compare with");
        assertThatThrownBy(() -> PromotionGates.validate(List.of("tags.x = 'y'"), List.of())).isInstanceOf(MlvException.class)
                .hasMessageContaining("only metrics.<key> <op> <number> and params.<key> = '<value>' are supported");
    }
}
