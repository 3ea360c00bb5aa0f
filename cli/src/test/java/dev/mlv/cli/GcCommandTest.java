package dev.mlv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv gc} against the database and artifacts of a running in-process server: deleted runs and experiments go
 * for good with their artifacts; what a registered model version comes from stays; refusals remove nothing.
 */
class GcCommandTest {
    @TempDir
    Path home;
    MlvServer server;
    RestClient rest;

    @BeforeEach
    void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        rest = new RestClient(server.url());
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private String[] gc(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "gc";
        all[1] = "--backend-store-uri=sqlite:///" + home.resolve("mlv.db");
        all[2] = "--artifacts-destination=" + home.resolve("artifacts");
        all[3] = "--json";
        System.arraycopy(args, 0, all, 4, args.length);
        return InProcessCli.run("", all);
    }

    private String experiment(String name) throws IOException {
        return rest.post("/api/2.0/mlflow/experiments/create", RestClient.object().put("name", name)).path("experiment_id").asText();
    }

    /** A run with a metric and one artifact file; returns its id. */
    private String run(String experimentId) throws IOException {
        JsonNode info = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", experimentId))
                .path("run").path("info");
        String id = info.path("run_id").asText();
        rest.post("/api/2.0/mlflow/runs/log-metric", RestClient.object().put("run_id", id).put("key", "loss").put("value", 0.1)
                .put("timestamp", 1L).put("step", 0));
        Path f = Files.createTempFile(home, "a", ".txt");
        Files.writeString(f, "weights");
        rest.putFile("/api/2.0/mlflow-artifacts/artifacts/" + experimentId + "/" + id + "/artifacts/model/weights.bin", f);
        Files.delete(f);
        return id;
    }

    private Path artifactsOf(String experimentId, String runId) {
        return home.resolve("artifacts").resolve(experimentId).resolve(runId);
    }

    private void delete(String what, String field, String id) throws IOException {
        rest.post("/api/2.0/mlflow/" + what + "/delete", RestClient.object().put(field, id));
    }

    /** The HTTP status of {@code GET /api/2.0/mlflow/PATH?KEY=VALUE}. */
    private int status(String path, String key, String value) {
        try {
            rest.get("/api/2.0/mlflow/" + path, java.util.Map.of(key, value));
            return 200;
        } catch (dev.mlv.errors.MlvException e) {
            return e.code().httpStatus();
        }
    }

    @Test
    void deletedRunsAndExperimentsGoForGoodWithTheirArtifacts() throws Exception {
        String exp = experiment("gc-a");
        String alive = run(exp);
        String dead = run(exp);
        String registered = run(exp);
        rest.post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "kept-model"));
        rest.post("/api/2.0/mlflow/model-versions/create", RestClient.object().put("name", "kept-model")
                .put("source", "runs:/" + registered + "/model").put("run_id", registered));
        delete("runs", "run_id", dead);
        delete("runs", "run_id", registered);
        String doomed = experiment("gc-b");
        String inDoomed = run(doomed);
        delete("experiments", "experiment_id", doomed);

        String[] dry = gc("--dry-run");
        assertThat(dry[0]).as(dry[2]).isEqualTo("0");
        JsonNode plan = RestClient.json().readTree(dry[1]);
        assertThat(plan.path("runs").toString()).contains(dead, inDoomed).doesNotContain(alive, registered);
        assertThat(plan.path("experiments").toString()).contains("\"" + doomed + "\"");
        assertThat(plan.path("kept").toString()).contains(registered, "kept-model v1 was registered from it");
        assertThat(artifactsOf(exp, dead)).as("a dry run removes nothing").exists();

        String[] done = gc();
        assertThat(done[0]).as(done[2]).isEqualTo("0");
        assertThat(artifactsOf(exp, dead)).doesNotExist();
        assertThat(home.resolve("artifacts").resolve(doomed)).doesNotExist();
        assertThat(artifactsOf(exp, alive)).exists();
        assertThat(artifactsOf(exp, registered)).as("lineage stays whole").exists();
        assertThat(status("runs/get", "run_id", dead)).isEqualTo(404);
        assertThat(status("runs/get", "run_id", inDoomed)).isEqualTo(404);
        assertThat(status("experiments/get", "experiment_id", doomed)).isEqualTo(404);
        assertThat(status("runs/get", "run_id", registered)).isEqualTo(200);
        assertThat(status("runs/get", "run_id", alive)).isEqualTo(200);
        assertThat(experiment("gc-b")).as("the name is free again").isNotEqualTo(doomed);

        String[] again = gc();
        assertThat(RestClient.json().readTree(again[1]).path("runs")).as("nothing left to remove").isEmpty();
    }

    @Test
    void namedRunsMustBeDeletedOldEnoughAndUnregisteredElseNothingIsRemoved() throws Exception {
        String exp = experiment("gc-c");
        String active = run(exp);
        String dead = run(exp);
        String registered = run(exp);
        rest.post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "m"));
        rest.post("/api/2.0/mlflow/model-versions/create", RestClient.object().put("name", "m")
                .put("source", "mlflow-artifacts:/" + exp + "/" + registered + "/artifacts/model"));
        delete("runs", "run_id", dead);
        delete("runs", "run_id", registered);

        String[] notDeleted = gc("--run-ids", dead + "," + active);
        assertThat(notDeleted[0]).isEqualTo("1");
        assertThat(notDeleted[2]).contains("Run " + active + " is not in the 'deleted' lifecycle stage");
        String[] isRegistered = gc("--run-ids", dead + "," + registered);
        assertThat(isRegistered[2]).contains("Run " + registered + " cannot be removed: model version m v1 was registered from it");
        String[] tooRecent = gc("--run-ids", dead, "--older-than", "1d");
        assertThat(tooRecent[2]).contains("deleted more recently than --older-than allows");
        assertThat(RestClient.json().readTree(gc("--older-than", "1d")[1]).path("runs")).as("a sweep skips what is too recent").isEmpty();
        assertThat(gc("--older-than", "soon")[2]).contains("Invalid age 'soon'");
        assertThat(artifactsOf(exp, dead)).as("refusals remove nothing").exists();

        String[] named = gc("--run-ids", dead);
        assertThat(named[0]).as(named[2]).isEqualTo("0");
        assertThat(artifactsOf(exp, dead)).doesNotExist();
        assertThat(status("runs/get", "run_id", dead)).isEqualTo(404);
        assertThat(InProcessCli.run("", "gc", "--help")[1]).contains("--older-than", "Remove deleted runs and experiments for good");
    }
}
