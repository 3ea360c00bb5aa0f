package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java client's registry calls against a real in-process server (SQLite + local artifacts). */
class ModelRegistryTest extends InProcessServerTest {
    /** A run with metric accuracy and a one-file "model" folder; its runs:/ URI. */
    private static String trainedModel(double accuracy, Path tmp) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model-" + accuracy));
        Files.writeString(dir.resolve("weights.bin"), "weights " + accuracy);
        String[] uri = new String[1];
        client.run("registry", run -> {
            run.logMetric("accuracy", accuracy);
            run.logArtifacts(dir, "model");
            uri[0] = "runs:/" + run.runId() + "/model";
        });
        return uri[0];
    }

    @Test
    void registerCreatesTheModelOnceAndNamesTheRunAndTheUser(@TempDir Path tmp) throws IOException {
        String source = trainedModel(0.8, tmp);
        ModelVersion v1 = client.registerModel("reg-basic", source);
        ModelVersion v2 = client.registerModel("reg-basic", source);

        assertThat(v1.version()).isEqualTo("1");
        assertThat(v2.version()).isEqualTo("2");
        assertThat(v1.source()).isEqualTo(source);
        assertThat(v1.runId()).isEqualTo(source.split("/")[1]);
        assertThat(v1.status()).isEqualTo(ModelVersion.READY);
        assertThat(v1.currentStage()).isEqualTo(Stage.NONE);
        // the client names its user (MLV_USER, else the OS user) to a server without authentication
        assertThat(v1.userId()).isEqualTo(MlvClient.user());
        assertThat(client.registry().get("reg-basic", "2")).isEqualTo(v2);
        assertThat(client.registry().versions("reg-basic")).extracting(ModelVersion::version).containsExactly("2", "1");
        assertThat(client.registry().versions("no-such-model")).isEmpty();
        // a bad source is refused before anything is created
        assertThatThrownBy(() -> client.registerModel("reg-refused", "runs:/" + v1.runId() + "/../escape"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThat(client.rest().get("/api/2.0/mlflow/registered-models/search", java.util.Map.of("filter", "name = 'reg-refused'"))
                .path("registered_models")).isEmpty();
        assertThatThrownBy(() -> client.registry().get("reg-basic", "3"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
    }

    @Test
    void promotionIsGatedOnMetricsAndRollbackRestoresThePreviousVersion(@TempDir Path tmp) throws IOException {
        ModelVersion weak = client.registerModel("reg-gates", trainedModel(0.70, tmp));
        ModelVersion strong = client.registerModel("reg-gates", trainedModel(0.95, tmp));
        ModelRegistry registry = client.registry();

        ModelRegistry.Promotion refused = registry.promote("reg-gates", weak.version(), Stage.PRODUCTION,
                List.of("metrics.accuracy >= 0.9"), "try the weak one");
        assertThat(refused.promoted()).isFalse();
        assertThat(refused.checks()).anySatisfy(c -> {
            assertThat(c.gate()).isEqualTo("metrics.accuracy >= 0.9");
            assertThat(c.passed()).isFalse();
        });
        assertThat(registry.latest("reg-gates", Stage.PRODUCTION)).isEmpty();

        assertThat(registry.promote("reg-gates", weak.version(), Stage.PRODUCTION, List.of(), "first").promoted()).isTrue();
        ModelRegistry.Promotion p = registry.promote("reg-gates", strong.version(), Stage.PRODUCTION,
                List.of("metrics.accuracy >= 0.9"), "better accuracy");
        assertThat(p.promoted()).isTrue();
        assertThat(p.checks()).allSatisfy(c -> assertThat(c.passed()).isTrue());
        assertThat(p.modelVersion().currentStage()).isEqualTo(Stage.PRODUCTION);
        assertThat(registry.get("reg-gates", weak.version()).currentStage()).isEqualTo(Stage.ARCHIVED);

        ModelVersion back = registry.rollback("reg-gates", Stage.PRODUCTION, "regression");
        assertThat(back.version()).isEqualTo(weak.version());
        assertThat(registry.latest("reg-gates", Stage.PRODUCTION)).map(ModelVersion::version).contains(weak.version());

        JsonNode moves = client.rest().get("/api/2.0/mlv/registered-models/history", java.util.Map.of("name", "reg-gates")).path("moves");
        assertThat(moves.get(0).path("reason").asText()).isEqualTo("regression");
        assertThat(moves.get(0).path("user").asText()).isEqualTo(MlvClient.user());

        assertThat(registry.transition("reg-gates", strong.version(), Stage.STAGING, false).currentStage())
                .isEqualTo(Stage.STAGING);
    }

    @Test
    void aliasesMoveRollBackAndGo(@TempDir Path tmp) throws IOException {
        String source = trainedModel(0.9, tmp);
        ModelVersion v1 = client.registerModel("reg-alias", source);
        ModelVersion v2 = client.registerModel("reg-alias", source);
        ModelRegistry registry = client.registry();

        registry.setAlias("reg-alias", "champion", v1.version());
        registry.setAlias("reg-alias", "champion", v2.version());
        assertThat(registry.byAlias("reg-alias", "champion").version()).isEqualTo("2");
        assertThat(registry.byAlias("reg-alias", "champion").aliases()).containsExactly("champion");

        assertThat(registry.rollbackAlias("reg-alias", "champion", "bad outputs").version()).isEqualTo("1");
        assertThat(registry.byAlias("reg-alias", "champion").version()).isEqualTo("1");

        registry.deleteAlias("reg-alias", "champion");
        assertThatThrownBy(() -> registry.byAlias("reg-alias", "champion"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
        assertThatThrownBy(() -> registry.rollback("reg-alias", Stage.PRODUCTION, null))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
    }
}
