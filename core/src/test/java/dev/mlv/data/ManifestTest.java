package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestTest {
    static final String A = "a".repeat(64), B = "b".repeat(64);

    @Test
    void sortedCanonicalJsonNamesTheTree() {
        Manifest m1 = new Manifest(List.of(new Manifest.Entry("z/y.txt", A, 1), new Manifest.Entry("a.txt", B, 2)));
        Manifest m2 = new Manifest(List.of(new Manifest.Entry("a.txt", B, 2), new Manifest.Entry("z/y.txt", A, 1)));
        assertThat(new String(m1.toBytes(), StandardCharsets.UTF_8)).isEqualTo(
                "[{\"relpath\":\"a.txt\",\"digest\":\"" + B + "\",\"size\":2},{\"relpath\":\"z/y.txt\",\"digest\":\"" + A + "\",\"size\":1}]");
        assertThat(m1.name()).isEqualTo(m2.name()).endsWith(".dir").hasSize(68);
        assertThat(Manifest.parse(m1.toBytes(), "m")).isEqualTo(m1);
        assertThat(m1.totalSize()).isEqualTo(3);
    }

    @Test
    void rejectsEscapingPathsBadDigestsAndDuplicates() {
        for (String bad : List.of("{}", "[{\"relpath\":\"../x\",\"digest\":\"" + A + "\",\"size\":1}]",
                "[{\"relpath\":\"x\",\"digest\":\"nothex\",\"size\":1}]",
                "[{\"relpath\":\"x\",\"digest\":\"" + A + "\"}]",
                "[{\"relpath\":\"x\",\"digest\":\"" + A + "\",\"size\":1},{\"relpath\":\"x\",\"digest\":\"" + A + "\",\"size\":1}]")) {
            assertThatThrownBy(() -> Manifest.parse(bad.getBytes(StandardCharsets.UTF_8), "m")).as(bad).isInstanceOf(MlvException.class);
        }
    }
}
