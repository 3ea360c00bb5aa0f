package dev.mlv.artifacts;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArtifactPathTest {

    /** Every path attack of the MLflow advisories (see shared/reference/security.md), raw and encoded. */
    static Stream<String> badPaths() {
        return Stream.of(
                // '..' raw, single-, double-, triple-encoded and mixed
                "..", "../etc/passwd", "a/../../etc/passwd", "a/..", "./../x", "a/b/../../..",
                "%2e%2e", "%2E%2E/etc/passwd", "a/%2e%2e/%2e%2e/x", ".%2e/x", "%2e./x", "a%2f..%2f..%2fx",
                "%252e%252e/x", "%252E%252e%252fetc", "%25252e%25252e/x", "..%252f..%252fetc%252fpasswd",
                "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "a/%2e%2e%5c..%5cx",
                // backslashes (Windows separators), raw and encoded
                "\\..\\..\\file", "a\\b", "%5c..%5cfile", "%255c", "..\\x",
                // ';' path-parameter smuggling, '#' fragments, '?' queries
                "a;b", "..;/x", "a/b;jsessionid=1", "%3b", "%253b/..", "a#b", "#/../../etc", "%23", "a?b", "%3f", "x?a=../../etc",
                // NUL and control characters
                "a\u0000b", "a%00b", "a%2500b", "a\nb", "%0a", "%0d%0a", "a\tb", "\u007f", "%7f", "a\u0085b", "%c2%85",
                // absolute paths, drives, home
                "/etc/passwd", "//etc/passwd", "%2fetc%2fpasswd", "%252fetc", "C:\\Windows", "C:/Windows", "c:", "C%3a/x",
                "~", "~/x", "~root/.ssh", "%7e/x",
                // malformed UTF-8 behind escapes (overlong '.' and '/')
                "%c0%ae%c0%ae/x", "%c0%af", "%e0%80%ae", "%ff",
                // overlong
                "a/".repeat(ArtifactPath.MAX_LENGTH / 2 + 1), "x".repeat(256), "a/" + "é".repeat(128),
                // never settles
                "%2525252525252525252e");
    }

    @ParameterizedTest
    @MethodSource("badPaths")
    void rejectsPathAttacks(String raw) {
        assertThatThrownBy(() -> ArtifactPath.parse(raw))
                .isInstanceOfSatisfying(MlvException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                    assertThat(e.getMessage()).startsWith("Invalid path '");
                    assertThat(e.getMessage()).doesNotContain("\u0000", "\n");
                });
    }

    static Stream<String> goodPaths() {
        return Stream.of("model.onnx", "a/b/c.txt", "dir/sub dir/file name.bin", "ünïcødé/数据.csv", "...", "a/.../b",
                "v1.2/x..y", "a..b", "50%", "100%/x", "%zz", "a+b", "run:1", "a/b:c", "name=value", "x".repeat(255));
    }

    @ParameterizedTest
    @MethodSource("goodPaths")
    void acceptsOrdinaryNames(String raw) {
        ArtifactPath p = ArtifactPath.parse(raw);
        assertThat(p.isRoot()).isFalse();
        assertThat(p.toString()).isEqualTo(raw);
    }

    @Test
    void normalisesEmptyAndDotSegments() {
        assertThat(ArtifactPath.parse("a//./b/").segments()).containsExactly("a", "b");
        assertThat(ArtifactPath.parse("./a").toString()).isEqualTo("a");
        assertThat(ArtifactPath.parse("a%2Fb").segments()).containsExactly("a", "b");
        assertThat(ArtifactPath.parse("models%2520v1").toString()).isEqualTo("models v1");
    }

    @Test
    void emptyAndNullAreTheRoot() {
        assertThat(ArtifactPath.parse(null).isRoot()).isTrue();
        assertThat(ArtifactPath.parse("").isRoot()).isTrue();
        assertThat(ArtifactPath.parse(".").isRoot()).isTrue();
        assertThat(ArtifactPath.parse("./").isRoot()).isTrue();
        assertThat(ArtifactPath.ROOT.toString()).isEmpty();
        assertThat(ArtifactPath.ROOT.name()).isEmpty();
    }

    @Test
    void composesPaths() {
        ArtifactPath run = ArtifactPath.parse("1/abc/artifacts");
        ArtifactPath file = run.resolve("model/MLmodel");
        assertThat(file.toString()).isEqualTo("1/abc/artifacts/model/MLmodel");
        assertThat(file.name()).isEqualTo("MLmodel");
        assertThat(file.parent().toString()).isEqualTo("1/abc/artifacts/model");
        assertThat(file.startsWith(run)).isTrue();
        assertThat(run.startsWith(file)).isFalse();
        assertThat(file.relativize(run).toString()).isEqualTo("model/MLmodel");
        assertThat(run.resolve(ArtifactPath.ROOT)).isEqualTo(run);
        assertThat(ArtifactPath.ROOT.resolve(run)).isEqualTo(run);
        assertThat(ArtifactPath.parse("a/b")).isEqualTo(ArtifactPath.parse("a//b")).hasSameHashCodeAs(ArtifactPath.parse("a/./b"));
        assertThatThrownBy(() -> run.resolve("../../x")).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> run.relativize(file)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void resolvesUnderTheRoot(@TempDir Path root) throws Exception {
        Path target = ArtifactPath.parse("a/b/c.txt").resolveUnder(root);
        assertThat(target.startsWith(root.toRealPath())).isTrue();
        assertThat(target.getFileName().toString()).isEqualTo("c.txt");
        assertThat(ArtifactPath.ROOT.resolveUnder(root)).isEqualTo(target.getParent().getParent().getParent());
    }

    @Test
    void refusesSymlinksThatLeaveTheRoot(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("file-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nowhere"));

        for (String p : List.of("escape", "escape/secret.txt", "escape/new/dir/file", "file-link", "dangling", "dangling/x")) {
            assertThatThrownBy(() -> ArtifactPath.parse(p).resolveUnder(root))
                    .as(p)
                    .isInstanceOfSatisfying(MlvException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        }
    }

    @Test
    void allowsSymlinksThatStayInsideTheRoot(@TempDir Path tmp) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createDirectories(root.resolve("real/dir"));
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        Path resolved = ArtifactPath.parse("alias/dir/f.txt").resolveUnder(root);
        assertThat(resolved.getFileName().toString()).isEqualTo("f.txt");
    }

    @Test
    void worksWhenTheRootItselfIsASymlink(@TempDir Path tmp) throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real-root"));
        Path link = Files.createSymbolicLink(tmp.resolve("link-root"), real);
        Path resolved = ArtifactPath.parse("x/y").resolveUnder(link);
        assertThat(resolved.startsWith(real.toRealPath())).isTrue();
    }
}
