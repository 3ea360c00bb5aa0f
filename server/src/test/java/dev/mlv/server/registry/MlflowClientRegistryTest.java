package dev.mlv.server.registry;

import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.ModelRegistry;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.ModelVersionsPage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry calls of the official MLflow Java client (2.17.2) against versions created over REST. */
class MlflowClientRegistryTest {
    @TempDir
    static Path home;
    static MlvServer server;
    static RegistryHttp http;
    static MlflowClient client;
    static String runId;
    static String root;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = new RegistryHttp(server);
        client = new MlflowClient(server.url());
        http.ok(http.post(MLFLOW + "registered-models/create", obj("name", "churn", "description", "churn model",
                "tags", List.of(Map.of("key", "team", "value", "growth")))));
        runId = http.run(Map.of("auc", 0.8));
        root = http.artifactUri(runId).substring("mlflow-artifacts:/".length());
        http.upload(root + "/model/MLmodel", "flavors: {}\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) http.version("churn", runId);
        http.ok(http.post(MLFLOW + "model-versions/transition-stage", obj("name", "churn", "version", "1", "stage", "Staging",
                "archive_existing_versions", false)));
        http.ok(http.post(MLFLOW + "model-versions/transition-stage", obj("name", "churn", "version", "2", "stage", "Production",
                "archive_existing_versions", false)));
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", "churn", "alias", "champion", "version", "2")));
    }

    @AfterAll
    static void stop() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void getLatestVersions() {
        List<ModelRegistry.ModelVersion> all = client.getLatestVersions("churn");
        assertThat(all).extracting(v -> v.getCurrentStage() + ":" + v.getVersion())
                .containsExactlyInAnyOrder("None:3", "Staging:1", "Production:2");
        List<ModelRegistry.ModelVersion> prod = client.getLatestVersions("churn", List.of("Production"));
        assertThat(prod).hasSize(1);
        assertThat(prod.get(0).getVersion()).isEqualTo("2");
        assertThat(prod.get(0).getRunId()).isEqualTo(runId);
    }

    @Test
    void getModelVersion() {
        ModelRegistry.ModelVersion v = client.getModelVersion("churn", "2");
        assertThat(v.getName()).isEqualTo("churn");
        assertThat(v.getCurrentStage()).isEqualTo("Production");
        assertThat(v.getSource()).isEqualTo("runs:/" + runId + "/model");
        assertThat(v.getStatus()).isEqualTo(ModelRegistry.ModelVersionStatus.READY);
        assertThat(v.getAliasesList()).containsExactly("champion");
        assertThat(v.getCreationTimestamp()).isPositive();
        assertThatThrownBy(() -> client.getModelVersion("churn", "9")).hasMessageContaining("RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void getRegisteredModel() {
        ModelRegistry.RegisteredModel m = client.getRegisteredModel("churn");
        assertThat(m.getName()).isEqualTo("churn");
        assertThat(m.getDescription()).isEqualTo("churn model");
        assertThat(m.getTagsList()).extracting(ModelRegistry.RegisteredModelTag::getKey).containsExactly("team");
        assertThat(m.getLatestVersionsList()).hasSize(3);
        assertThat(m.getAliasesList()).extracting(ModelRegistry.RegisteredModelAlias::getAlias).containsExactly("champion");
    }

    @Test
    void getModelVersionDownloadUri() {
        assertThat(client.getModelVersionDownloadUri("churn", "1")).isEqualTo("mlflow-artifacts:/" + root + "/model");
    }

    @Test
    void searchModelVersions() {
        ModelVersionsPage page = client.searchModelVersions("name = 'churn'");
        assertThat(page.getItems()).extracting(ModelRegistry.ModelVersion::getVersion).containsExactly("3", "2", "1");
        ModelVersionsPage byRun = client.searchModelVersions("run_id = '" + runId + "'", 2, List.of("version_number ASC"));
        assertThat(byRun.getItems()).extracting(ModelRegistry.ModelVersion::getVersion).containsExactly("1", "2");
        assertThat(byRun.hasNextPage()).isTrue();
        assertThat(byRun.getNextPage().getItems()).extracting(ModelRegistry.ModelVersion::getVersion).containsExactly("3");
    }
}
