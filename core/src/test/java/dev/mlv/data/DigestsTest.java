package dev.mlv.data;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DigestsTest {
    static final String HEX = "0123456789abcdef".repeat(4);

    @Test
    void objectNamesAreSixtyFourLowerCaseHexDigitsOptionallyWithDotDir() {
        assertThat(Digests.isValid(HEX)).isTrue();
        assertThat(Digests.isValid(HEX + ".dir")).isTrue();
        assertThat(Digests.isValid(Digests.sha256("x".getBytes()))).isTrue();
        for (String bad : new String[]{null, "", HEX.substring(1), HEX + "0", HEX.toUpperCase(), HEX + ".dirx", HEX + ".DIR",
                HEX + "xdir", "g" + HEX.substring(1), "../" + HEX.substring(3), HEX.substring(0, 63) + "/", HEX + ".di"}) {
            assertThat(Digests.isValid(bad)).as(String.valueOf(bad)).isFalse();
        }
    }
}
