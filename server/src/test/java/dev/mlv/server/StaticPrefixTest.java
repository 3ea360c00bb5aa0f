package dev.mlv.server;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.api.proto.Service.RunInfo;
import org.mlflow.tracking.MlflowClient;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --static-prefix}: everything under the prefix, nothing outside it, links and redirects included. */
class StaticPrefixTest {
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, null).withStaticPrefix("/team/mlflow/"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void theOfficialMlflowClientWorksAgainstThePrefixedUrl() {
        assertThat(server.url()).endsWith(":" + server.port() + "/team/mlflow");
        MlflowClient mlflow = new MlflowClient(server.url());
        String experiment = mlflow.createExperiment("behind-a-proxy");
        RunInfo run = mlflow.createRun(experiment);
        mlflow.logMetric(run.getRunId(), "loss", 0.25);
        assertThat(mlflow.getRun(run.getRunId()).getData().getMetrics(0).getValue()).isEqualTo(0.25);
        mlflow.close();
    }

    @Test
    void everythingAnswersUnderThePrefixAndNothingOutsideIt() throws Exception {
        int port = server.port();
        assertThat(RawHttp.send(port, "GET", "/team/mlflow/health").status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", "/team/mlflow/api/2.0/mlflow/experiments/search?max_results=10").status()).isEqualTo(200);
        for (String outside : List.of("/health", "/api/2.0/mlflow/experiments/search", "/ui", "/team/mlflowx/health", "/team/health", "/")) {
            RawHttp.Response r = RawHttp.send(port, "GET", outside);
            assertThat(r.status()).as(outside).isEqualTo(404);
            assertThat(r.body()).as(outside).contains("ENDPOINT_NOT_FOUND", "this server answers under /team/mlflow/");
        }
        // the artifact proxy, with its path validation, works on the path inside the prefix
        String file = "/team/mlflow/api/2.0/mlflow-artifacts/artifacts/notes/a.txt";
        assertThat(RawHttp.send(port, "PUT", file, "text/plain", "hello".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(200);
        assertThat(RawHttp.send(port, "GET", file).body()).isEqualTo("hello");
        for (String attack : List.of("/team/mlflow/api/2.0/mlflow-artifacts/artifacts/notes/..%2f..%2fmlv.db",
                "/team/mlflow/../api/2.0/mlflow/experiments/search", "/team/mlflow/%2e%2e/mlv.db",
                "/team/mlflow/x/../../mlflow/api/2.0/mlflow/experiments/search", "/team/mlflow/x/%2e%2e/%2e%2e/mlflow/health")) {
            RawHttp.Response r = RawHttp.send(port, "GET", attack);
            assertThat(r.status()).as(attack + " " + r.body()).isIn(400, 404);
        }
    }

    @Test
    void theUisLinksAndRedirectsCarryThePrefix() throws Exception {
        RawHttp.Response root = RawHttp.send(server.port(), "GET", "/team/mlflow/");
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.headers().get("location")).endsWith("/team/mlflow/ui");
        RawHttp.Response ui = RawHttp.send(server.port(), "GET", "/team/mlflow/ui", Map.of(), null, null);
        assertThat(ui.status()).isEqualTo(200);
        assertThat(ui.body()).contains("href=\"/team/mlflow/ui\"").doesNotContain("href=\"/ui", "action=\"/ui");

        // a form on a version's page posts under the prefix and comes back there
        int port = server.port();
        String api = "/team/mlflow/api/2.0/mlflow/";
        String run = new com.fasterxml.jackson.databind.ObjectMapper().readTree(RawHttp.send(port, "POST", api + "runs/create",
                "application/json", "{\"experiment_id\":\"0\"}".getBytes(StandardCharsets.UTF_8)).body()).at("/run/info/run_id").asText();
        RawHttp.send(port, "POST", api + "registered-models/create", "application/json", "{\"name\":\"m\"}".getBytes(StandardCharsets.UTF_8));
        RawHttp.send(port, "POST", api + "model-versions/create", "application/json",
                ("{\"name\":\"m\",\"source\":\"runs:/" + run + "/\",\"run_id\":\"" + run + "\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(RawHttp.send(port, "GET", "/team/mlflow/ui/model-version?name=m&version=1").body())
                .contains("action=\"/team/mlflow/ui/model-version/stage?name=m&amp;version=1\"");
        RawHttp.Response moved = RawHttp.send(port, "POST", "/team/mlflow/ui/model-version/stage?name=m&version=1",
                Map.of("Origin", "http://127.0.0.1:" + port), "application/x-www-form-urlencoded",
                "stage=Staging&reason=behind+the+proxy".getBytes(StandardCharsets.UTF_8));
        assertThat(moved.status()).as(moved.body()).isEqualTo(303);
        assertThat(moved.headers().get("location")).isEqualTo("/team/mlflow/ui/model-version?name=m&version=1");
    }

    @Test
    void aPrefixIsAPlainPath() {
        assertThat(StaticPrefixHandler.normalize("/mlflow/")).isEqualTo("/mlflow");
        assertThat(StaticPrefixHandler.normalize("/")).isNull();
        assertThat(StaticPrefixHandler.normalize(" ")).isNull();
        for (String bad : List.of("mlflow", "/a/../b", "/a//b", "/a b", "/a?b", "/a%2fb", "/a;b", "/./a", "/a\\b")) {
            assertThatThrownBy(() -> StaticPrefixHandler.normalize(bad)).as(bad).isInstanceOf(MlvException.class)
                    .hasMessageContaining("Invalid static prefix");
        }
    }
}
