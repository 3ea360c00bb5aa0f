package dev.mlv.registry;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryRulesTest {

    @Test
    void aliasesFollowMlflow() {
        for (String ok : List.of("champion", "a-b_c", "v", "vx1", "latest2", "_")) assertThat(RegistryRules.alias(ok)).isEqualTo(ok);
        for (String bad : List.of("latest", "LaTeSt", "v1", "V007", "a b", "a.b", "", "x".repeat(256))) {
            assertThatThrownBy(() -> RegistryRules.alias(bad)).as(bad).isInstanceOf(MlvException.class);
        }
    }

    @Test
    void namesCannotStandForOthers() {
        assertThat(RegistryRules.name("fraud model")).isEqualTo("fraud model");
        for (String bad : List.of("", "a/b", "a\\b", "a%20b", "a%2fb", " a", "a ", "a\u0000", "e\u0301")) {
            assertThatThrownBy(() -> RegistryRules.name(bad)).as(bad).isInstanceOf(MlvException.class);
        }
        assertThat(RegistryRules.nameKey("Fraud")).isEqualTo(RegistryRules.nameKey("ｆraud"));
    }

    @Test
    void stagesParseCaseInsensitively() {
        assertThat(Stage.parse("production")).isEqualTo(Stage.PRODUCTION);
        assertThat(Stage.parse("NONE").display()).isEqualTo("None");
        assertThatThrownBy(() -> Stage.parse("prod")).isInstanceOf(MlvException.class);
    }

    @Test
    void tagLimits() {
        RegistryRules.tag("k".repeat(250), "v".repeat(5000));
        assertThatThrownBy(() -> RegistryRules.tag("k".repeat(251), "v")).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> RegistryRules.tag("k", "v".repeat(5001))).isInstanceOf(MlvException.class);
    }
}
