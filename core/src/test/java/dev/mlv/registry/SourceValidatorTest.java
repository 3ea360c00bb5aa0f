package dev.mlv.registry;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SourceValidatorTest {
    private static final String RUN = "0123456789abcdef0123456789abcdef";

    @Test
    void acceptsRunsModelsAndProxiedArtifacts() {
        assertThat(SourceValidator.validate("runs:/" + RUN + "/model", null, null).kind()).isEqualTo(SourceValidator.Kind.RUN);
        assertThat(SourceValidator.validate("models:/fraud/2", null, null).kind()).isEqualTo(SourceValidator.Kind.MODEL);
        SourceValidator.Validated a = SourceValidator.validate("mlflow-artifacts:/1/" + RUN + "/artifacts/model", null, null);
        assertThat(a.kind()).isEqualTo(SourceValidator.Kind.ARTIFACTS);
        assertThat(a.storePath().toString()).isEqualTo("1/" + RUN + "/artifacts/model");
        assertThat(SourceValidator.validate("mlflow-artifacts:/models///", null, null).storePath().toString()).isEqualTo("models");
        assertThat(SourceValidator.validate("mlflow-artifacts:///models/foo///bar", null, null).storePath().toString())
                .isEqualTo("models/foo/bar");
        assertThat(SourceValidator.validate("mlflow-artifacts:/models/artifact/..../", null, null).storePath().toString())
                .isEqualTo("models/artifact/....");
    }

    @Test
    void acceptsLocalPathsOnlyInsideTheRunsArtifactDirectory(@TempDir Path root) throws Exception {
        ArtifactPath runDir = ArtifactPath.parse("0/" + RUN + "/artifacts");
        Path model = Files.createDirectories(root.resolve("0/" + RUN + "/artifacts/model"));
        SourceValidator.RunLocation loc = new SourceValidator.RunLocation(runDir, root);
        SourceValidator.Validated ok = SourceValidator.validate(model.toUri().toString(), RUN, loc);
        assertThat(ok.kind()).isEqualTo(SourceValidator.Kind.LOCAL_RUN_FILE);
        assertThat(ok.storePath().toString()).isEqualTo("0/" + RUN + "/artifacts/model");
        assertThat(SourceValidator.validate(model.toString(), RUN, loc).storePath()).isEqualTo(ok.storePath());
        assertThatThrownBy(() -> SourceValidator.validate(model.toString(), null, loc)).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> SourceValidator.validate(model.toString(), RUN, null)).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> SourceValidator.validate(root.toString(), RUN, loc)).isInstanceOf(MlvException.class);
        Path outside = Files.createDirectories(root.resolveSibling(root.getFileName() + "-outside"));
        Files.createSymbolicLink(model.resolve("escape"), outside);
        assertThatThrownBy(() -> SourceValidator.validate(model.resolve("escape").toString(), RUN, loc))
                .isInstanceOf(MlvException.class).hasMessageContaining("symlink");
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/", "/", "//proc/self/root", "file://host/x", "mlflow-artifacts://host/x",
            "mlflow-artifacts:/a/../b", "mlflow-artifacts:/a/%2e%2e/b", "mlflow-artifacts:/a/%252e%252e/b",
            "mlflow-artifacts:/a\\b", "mlflow-artifacts:/a#b", "mlflow-artifacts:/a;b", "mlflow-artifacts:/a?b",
            "mlflow-artifacts:/a%3Fb", "mlflow-artifacts:/a%00b", "mlflow-artifacts:/a\tb", "http://h/x", "s3://b/k",
            "C:/x", "mlflow-artifacts:/", "", "runs:/" + RUN + "/../x", "models:/a/..", " models:/a/1"})
    void rejectsWhatMlflowsCvesTaught(String source) {
        assertThatThrownBy(() -> SourceValidator.validate(source, RUN, null))
                .isInstanceOf(MlvException.class).hasMessageContaining("source");
    }
}
