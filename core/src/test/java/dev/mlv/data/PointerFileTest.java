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
    void anImportsSourceIsWrittenInDvcsDepsLayoutAndFollowsAMove() {
        String lock = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
        PointerFile imported = new PointerFile(java.util.List.of(new PointerFile.Out("iris.csv", D, 5, null)),
                new PointerFile.Import("sets/iris.csv", "../registry", "v1", lock, "backup"));
        String yaml = new String(imported.toBytes(), StandardCharsets.UTF_8);
        assertThat(yaml).endsWith("deps:\n  - path: sets/iris.csv\n    repo:\n      url: ../registry\n      rev: v1\n"
                + "      rev_lock: " + lock + "\n      remote: backup\n");
        assertThat(PointerFile.parse(imported.toBytes(), "x")).isEqualTo(imported);
        assertThat(PointerFile.parse(("outs:\n- path: a\n  digest: " + D + "\n  size: 1\n").getBytes(StandardCharsets.UTF_8), "x")
                .source()).as("no deps: no import").isNull();

        PointerFile frozen = imported.withFrozen(true);
        assertThat(new String(frozen.toBytes(), StandardCharsets.UTF_8)).contains("    size: 5\nfrozen: true\ndeps:\n");
        assertThat(PointerFile.parse(frozen.toBytes(), "x")).isEqualTo(frozen);
        assertThat(PointerFile.parse(frozen.withFrozen(false).toBytes(), "x")).isEqualTo(imported);

        PointerFile.Import s = imported.source();
        assertThat(s.relocated(Path.of("/w/p"), Path.of("/w/p/a/b")).url()).isEqualTo("../../../registry");
        assertThat(s.relocated(Path.of("/w/p/a"), Path.of("/w/p")).url()).isEqualTo("registry");
        PointerFile.Import url = new PointerFile.Import("x", "https://github.com/org/r.git", null, lock, null);
        assertThat(url.relocated(Path.of("/a"), Path.of("/b/c"))).isSameAs(url);
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
                "outs:\n- path: a\n  digest: " + D + "\n  size: 1\ndeps: {}\n",
                "outs:\n- path: a\n  digest: " + D + "\n  size: 1\ndeps:\n- path: a\n  repo:\n    url: r\n",
                "outs:\n- path: a\n  digest: " + D + "\n  size: 1\ndeps:\n- path: a\n  repo:\n    url: r\n    rev: 'a b'\n"
                        + "    rev_lock: " + "1".repeat(40) + "\n",
                "outs:\n- path: a\n  digest: " + D + "\n  size: 1\nfrozen: true\n", // only imports are frozen
                "outs:\n- path: a\n  digest: " + D + "\n  size: 1\nfrozen: 'maybe'\ndeps:\n- path: /x/a.csv\n  digest: " + D + "\n",
        };
        for (String b : bad) {
            assertThatThrownBy(() -> PointerFile.parse(b.getBytes(StandardCharsets.UTF_8), "p.mlv"))
                    .as(b).isInstanceOf(MlvException.class).hasMessageContaining("p.mlv")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
