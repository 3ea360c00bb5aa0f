package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PointerFileTest {
    static final String D = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    @Test
    void writesTheDocumentedYamlAndReadsItBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("train.csv.mlv");
        PointerFile.of(new PointerFile.Out("train.csv", D, 1048576, null)).write(f);
        assertThat(Files.readString(f)).isEqualTo("outs:\n  - path: train.csv\n    hash: sha256\n    digest: " + D + "\n    size: 1048576\n");
        assertThat(PointerFile.read(f).outs()).containsExactly(new PointerFile.Out("train.csv", D, 1048576, null));
        PointerFile dirPtr = PointerFile.of(new PointerFile.Out("images", D + ".dir", 10, 3));
        assertThat(PointerFile.parse(dirPtr.toBytes(), "x")).isEqualTo(dirPtr);
        // DVC's indentation style and field order are accepted too
        String dvcStyle = "outs:\n- digest: " + D + "\n  size: 5\n  hash: sha256\n  path: a b;c#.csv\n";
        assertThat(PointerFile.parse(dvcStyle.getBytes(StandardCharsets.UTF_8), "x").outs().get(0).path()).isEqualTo("a b;c#.csv");
    }

    @Test
    void malformedPointersAreOneClearError() {
        String[] bad = {
                "", "outs: []", "outs:\n- path: a\n", "not: yaml: [", "outs:\n- path: a\n  digest: xyz\n  size: 1\n",
                "outs:\n- path: a\n  hash: md5\n  digest: " + D + "\n  size: 1\n",
                "outs:\n- path: ../../etc/passwd\n  digest: " + D + "\n  size: 1\n",
                "outs:\n- path: /etc/passwd\n  digest: " + D + "\n  size: 1\n",
                "outs:\n- path: a\n  digest: " + D + ".dir\n  size: 1\n",
                "outs:\n- path: a\n  digest: " + D + "\n  size: -1\n",
        };
        for (String b : bad) {
            assertThatThrownBy(() -> PointerFile.parse(b.getBytes(StandardCharsets.UTF_8), "p.mlv"))
                    .as(b).isInstanceOf(MlvException.class).hasMessageContaining("p.mlv")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
