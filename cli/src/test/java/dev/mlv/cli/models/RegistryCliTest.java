package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.Main;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv models …} and {@code mlv audit …} run in-process ({@link Main#commandLine()}) against an in-process server
 * with a fresh home: register → transition → promote (passing and failing gates) → history → rollback → aliases →
 * audit → metadata and lineage of runs created over REST.
 */
class RegistryCliTest {
    static final String DATASET_DIGEST = "9f86d081884c7d659a2feaa0c55ad015";
    static final String COMMIT = "3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f7a8b9c0d";

    @TempDir
    static Path home;
    static MlvServer server;
    static RestClient rest;
    static String runA;
    static String runB;

    @BeforeAll
    static void start() throws IOException {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        rest = new RestClient(server.url());
        runA = createRun("train-a", 0.85, "0.1");
        runB = createRun("train-b", 0.93, "0.01");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** A run with params, metrics, a git commit tag, a dataset input, an environment file, checkpoints and a model. */
    static String createRun(String name, double accuracy, String lr) throws IOException {
        JsonNode run = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", "0")
                .put("run_name", name).put("start_time", 1_770_000_000_000L)).path("run").path("info");
        String runId = run.path("run_id").asText();
        ObjectNode batch = RestClient.object().put("run_id", runId);
        batch.putArray("metrics").addObject().put("key", "accuracy").put("value", accuracy)
                .put("timestamp", 1_770_000_000_000L).put("step", 0);
        var params = batch.putArray("params");
        params.addObject().put("key", "lr").put("value", lr);
        params.addObject().put("key", "epochs").put("value", "2");
        batch.putArray("tags").addObject().put("key", "mlflow.source.git.commit").put("value", COMMIT);
        rest.post("/api/2.0/mlflow/runs/log-batch", batch);
        ObjectNode inputs = RestClient.object().put("run_id", runId);
        ObjectNode in = inputs.putArray("datasets").addObject();
        in.putObject("dataset").put("name", "train.csv").put("digest", DATASET_DIGEST).put("source_type", "local")
                .put("source", "{\"uri\": \"data/train.csv\"}");
        in.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", "training");
        rest.post("/api/2.0/mlflow/runs/log-inputs", inputs);
        String prefix = run.path("artifact_uri").asText().substring("mlflow-artifacts:/".length());
        upload(prefix + "/model/MLmodel", "flavors:\n  onnx:\n    data: model.onnx\nrun_id: " + runId + "\n");
        upload(prefix + "/model/model.onnx", "not really onnx");
        upload(prefix + "/environment.json", "{\"java_version\": \"17.0.15\", \"os\": \"Linux\"}");
        for (int epoch = 1; epoch <= 2; epoch++) {
            upload(prefix + "/checkpoints/epoch-" + epoch + "/checkpoint.json",
                    "{\"epoch\": " + epoch + ", \"step\": " + (epoch * 100) + ", \"metrics\": {\"loss\": " + (1.0 / epoch) + "}}");
        }
        rest.post("/api/2.0/mlflow/runs/update", RestClient.object().put("run_id", runId).put("status", "FINISHED")
                .put("end_time", 1_770_000_600_000L));
        return runId;
    }

    static void upload(String storePath, String content) throws IOException {
        Path f = Files.createTempFile(home, "upload", ".tmp");
        Files.writeString(f, content);
        rest.putFile("/api/2.0/mlflow-artifacts/artifacts/" + storePath, f);
        Files.delete(f);
    }

    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return RestClient.json().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    /** Runs {@code mlv args --tracking-uri <server>} and captures its output. */
    static Result mlv(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(Arrays.asList(args));
        if (!all.contains("--help")) {
            all.add("--tracking-uri");
            all.add(server.url());
        }
        int exit = cl.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }

    static String productionVersion(String model) {
        return rest.get("/api/2.0/mlv/models/resolve", Map.of("uri", "models:/" + model + "/Production"))
                .path("model_version").path("version").asText();
    }

    @Test
    void registerTransitionPromoteHistoryRollback() {
        Result r1 = mlv("models", "register", "fraud", "runs:/" + runA + "/model", "--user", "alice",
                "--tag", "team=risk", "--description", "first");
        assertThat(r1.exit()).as(r1.err()).isZero();
        assertThat(r1.out()).contains("Registered model 'fraud' version 1");
        Result r2 = mlv("models", "register", "fraud", "runs:/" + runB + "/model", "--user", "alice", "--json");
        assertThat(r2.exit()).as(r2.err()).isZero();
        assertThat(r2.json().path("version").asText()).isEqualTo("2");
        assertThat(r2.json().path("run_id").asText()).isEqualTo(runB);

        Result t = mlv("models", "transition", "fraud", "1", "production", "--user", "alice", "--reason", "first release");
        assertThat(t.exit()).as(t.err()).isZero();
        assertThat(t.out()).contains("None → Production");
        assertThat(productionVersion("fraud")).isEqualTo("1");

        Result failing = mlv("models", "promote", "fraud", "2", "--to", "Production", "--user", "bob",
                "--require", "metrics.accuracy >= 0.95", "--require-better-than-current", "accuracy");
        assertThat(failing.exit()).as(failing.out() + failing.err()).isEqualTo(ModelsCommand.GATE_FAILED);
        assertThat(failing.out()).contains("✗ FAIL").contains("metrics.accuracy >= 0.95").contains("Not promoted");
        assertThat(productionVersion("fraud")).isEqualTo("1");

        Result passing = mlv("models", "promote", "fraud", "2", "--to", "Production", "--user", "bob",
                "--require", "metrics.accuracy >= 0.9", "--require-better-than-current", "accuracy",
                "--reason", "weekly retrain", "--archive-existing");
        assertThat(passing.exit()).as(passing.out() + passing.err()).isZero();
        assertThat(passing.out()).contains("✓ pass").doesNotContain("✗").contains("Promoted");
        assertThat(productionVersion("fraud")).isEqualTo("2");

        Result gatesJson = mlv("models", "promote", "fraud", "1", "--to", "Staging", "--user", "bob",
                "--require", "metrics.accuracy >= 0.9", "--json");
        assertThat(gatesJson.exit()).isEqualTo(ModelsCommand.GATE_FAILED);
        assertThat(gatesJson.json().path("promoted").asBoolean()).isFalse();
        assertThat(gatesJson.json().path("checks").get(0).path("passed").asBoolean()).isFalse();

        Result history = mlv("models", "history", "fraud");
        assertThat(history.exit()).as(history.err()).isZero();
        assertThat(history.out()).contains("bob").contains("alice").contains("weekly retrain")
                .contains("1 → 2").contains("- → 1");
        JsonNode moves = mlv("models", "history", "fraud", "--stage", "Production", "--json").json().path("moves");
        assertThat(moves.get(0).path("to_version").asText()).isEqualTo("2");
        assertThat(moves.get(0).path("user").asText()).isEqualTo("bob");

        Result back = mlv("models", "rollback", "fraud", "--stage", "Production", "--user", "carol", "--reason", "latency");
        assertThat(back.exit()).as(back.err()).isZero();
        assertThat(back.out()).contains("2 → 1").contains("carol");
        assertThat(productionVersion("fraud")).isEqualTo("1");
        Result again = mlv("models", "rollback", "fraud", "--stage", "Production", "--user", "carol", "--json");
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.json().path("move").path("to_version").asText()).isEqualTo("2");
        assertThat(productionVersion("fraud")).isEqualTo("2");
        JsonNode latest = mlv("models", "history", "fraud", "--json").json().path("moves").get(0);
        assertThat(latest.path("user").asText()).isEqualTo("carol");

        Result list = mlv("models", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).contains("fraud").contains("2 (Production)");
        Result describe = mlv("models", "describe", "fraud");
        assertThat(describe.out()).contains("Production").contains(runB);
        JsonNode v1 = mlv("models", "describe", "fraud", "1", "--json").json();
        assertThat(v1.path("description").asText()).isEqualTo("first");
        assertThat(v1.path("user_id").asText()).isEqualTo("alice");
    }

    @Test
    void aliasesMoveDeleteAndRollBack() {
        assertThat(mlv("models", "register", "churn", "runs:/" + runA + "/model", "--user", "alice").exit()).isZero();
        assertThat(mlv("models", "register", "churn", "runs:/" + runB + "/model", "--user", "alice").exit()).isZero();
        Result set = mlv("models", "alias", "set", "churn", "champion", "1", "--user", "alice");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(mlv("models", "alias", "set", "churn", "champion", "2", "--user", "bob").exit()).isZero();
        assertThat(resolve("models:/churn@champion")).isEqualTo("2");
        assertThat(mlv("models", "rollback", "churn", "--alias", "champion", "--user", "bob").exit()).isZero();
        assertThat(resolve("models:/churn@champion")).isEqualTo("1");
        Result reserved = mlv("models", "alias", "set", "churn", "latest", "1");
        assertThat(reserved.exit()).isEqualTo(2);
        assertThat(reserved.err()).startsWith("mlv: error: ");
        Result del = mlv("models", "alias", "delete", "churn", "champion", "--user", "bob");
        assertThat(del.exit()).as(del.err()).isZero();
        JsonNode moves = mlv("models", "history", "churn", "--alias", "champion", "--json").json().path("moves");
        assertThat(moves).hasSize(4);
        assertThat(moves.get(0).path("to_version").isNull() || moves.get(0).path("to_version").isMissingNode()).isTrue();
    }

    static String resolve(String uri) {
        return rest.get("/api/2.0/mlv/models/resolve", Map.of("uri", uri)).path("model_version").path("version").asText();
    }

    @Test
    void fourEyesPromotionWaitsForAnotherUser() {
        assertThat(mlv("models", "register", "guarded", "runs:/" + runB + "/model", "--user", "alice").exit()).isZero();
        rest.post("/api/2.0/mlflow/registered-models/set-tag", RestClient.object().put("name", "guarded")
                .put("key", "mlv.require_approval").put("value", "Production"));
        Result asked = mlv("models", "promote", "guarded", "1", "--to", "Production", "--user", "alice",
                "--require", "metrics.accuracy >= 0.9", "--reason", "ship it");
        assertThat(asked.exit()).as(asked.out() + asked.err()).isZero();
        assertThat(asked.out()).contains("✓ pass").contains("waiting for approval by another user");
        Result pending = mlv("models", "approve", "guarded");
        assertThat(pending.exit()).as(pending.err()).isZero();
        assertThat(pending.out()).contains("Production").contains("alice").contains("ship it");
        Result self = mlv("models", "approve", "guarded", "1", "--user", "alice");
        assertThat(self.exit()).isEqualTo(1);
        assertThat(self.err()).startsWith("mlv: error: ");
        assertThat(mlv("models", "describe", "guarded", "1", "--json").json().path("current_stage").asText()).isEqualTo("None");
        Result ok = mlv("models", "approve", "guarded", "1", "--stage", "production", "--user", "bob", "--reason", "reviewed");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("is now in Production");
        assertThat(productionVersion("guarded")).isEqualTo("1");
        assertThat(mlv("models", "approve", "guarded", "--json").json().path("pending")).isEmpty();
    }

    @Test
    void descriptionsTagsRenamesAndDeletes() {
        assertThat(mlv("models", "register", "tagged", "runs:/" + runA + "/model", "--user", "alice").exit()).isZero();
        assertThat(mlv("models", "register", "tagged", "runs:/" + runB + "/model", "--user", "alice").exit()).isZero();
        Result updated = mlv("models", "update", "tagged", "--model-version", "2", "--description", "retrained", "--user", "alice");
        assertThat(updated.exit()).as(updated.err()).isZero();
        assertThat(mlv("models", "update", "tagged", "--description", "the churn model").out()).isEqualTo("Updated the description of tagged\n");
        Result tagged = mlv("models", "tag", "tagged", "team=risk", "owner=ann", "--user", "alice");
        assertThat(tagged.out()).isEqualTo("Set 2 and deleted 0 tag(s) of tagged\n");
        mlv("models", "tag", "tagged", "-v", "2", "validated=true");
        mlv("models", "tag", "tagged", "--delete", "owner");
        JsonNode model = rest.get("/api/2.0/mlflow/registered-models/get", Map.of("name", "tagged")).path("registered_model");
        assertThat(model.path("description").asText()).isEqualTo("the churn model");
        assertThat(model.path("tags").toString()).contains("team", "risk").doesNotContain("owner");
        JsonNode v2 = rest.get("/api/2.0/mlflow/model-versions/get", Map.of("name", "tagged", "version", "2")).path("model_version");
        assertThat(v2.path("description").asText()).isEqualTo("retrained");
        assertThat(v2.path("tags").toString()).contains("validated");
        assertThat(mlv("models", "tag", "tagged", "novalue").err()).contains("expected KEY=VALUE");

        Result renamed = mlv("models", "rename", "tagged", "tagged-2", "--user", "alice");
        assertThat(renamed.exit()).as(renamed.err()).isZero();
        assertThat(mlv("models", "describe", "tagged-2").out()).contains("tagged-2");

        // deletes ask for --yes and change nothing without it
        mlv("models", "transition", "tagged-2", "1", "Production", "--user", "alice");
        Result unconfirmed = mlv("models", "delete", "tagged-2", "-v", "1");
        assertThat(unconfirmed.exit()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("Deleting version 1 of tagged-2 (in Production) cannot be undone: pass --yes");
        assertThat(mlv("models", "delete", "tagged-2", "-v", "1", "--yes", "--user", "alice").out())
                .isEqualTo("Deleted version 1 of tagged-2 (in Production)\n");
        assertThat(mlv("models", "delete", "tagged-2").err()).contains("registered model tagged-2 and its 1 version(s)", "--yes");
        assertThat(mlv("models", "delete", "tagged-2", "--yes").exit()).isZero();
        assertThat(mlv("models", "describe", "tagged-2").exit()).isEqualTo(1);
        JsonNode events = rest.get("/api/2.0/mlv/audit/events", Map.of("model", "tagged-2")).path("events");
        assertThat(events.findValuesAsText("action")).as("the audit trail outlives the model").isNotEmpty();
    }

    @Test
    void auditLogAndVerify() {
        assertThat(mlv("models", "register", "audited", "runs:/" + runA + "/model", "--user", "dora").exit()).isZero();
        Result log = mlv("audit", "log", "--model", "audited");
        assertThat(log.exit()).as(log.err()).isZero();
        assertThat(log.out()).contains("dora").contains("audited").contains("run_id=" + runA + ", source=runs:/" + runA + "/model");
        JsonNode events = mlv("audit", "log", "--model", "audited", "--json").json().path("events");
        assertThat(events.size()).isGreaterThanOrEqualTo(2);
        for (JsonNode e : events) assertThat(e.path("model").asText()).isEqualTo("audited");
        Result verify = mlv("audit", "verify");
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("intact");
        assertThat(mlv("audit", "verify", "--json").json().path("valid").asBoolean()).isTrue();
    }

    @Test
    void metadataAndLineageShowRunDataCodeEnvironmentAndCheckpoints() {
        assertThat(mlv("models", "register", "lineage-model", "runs:/" + runB + "/model", "--user", "erin").exit()).isZero();
        assertThat(mlv("models", "alias", "set", "lineage-model", "champion", "1", "--user", "erin").exit()).isZero();

        Result meta = mlv("models", "metadata", "models:/lineage-model@champion");
        assertThat(meta.exit()).as(meta.err()).isZero();
        JsonNode m = meta.json();
        assertThat(m.path("name").asText()).isEqualTo("lineage-model");
        assertThat(m.path("model_version").asText()).isEqualTo("v1");
        assertThat(m.path("aliases").get(0).asText()).isEqualTo("champion");
        assertThat(m.path("run_id").asText()).isEqualTo(runB);
        assertThat(m.path("metrics").path("accuracy").asDouble()).isEqualTo(0.93);
        assertThat(m.path("params").path("lr").asText()).isEqualTo("0.01");
        assertThat(m.path("dataset_version").asText()).isEqualTo(DATASET_DIGEST);
        assertThat(m.path("datasets").get(0).path("context").asText()).isEqualTo("training");
        assertThat(m.path("code_commit").asText()).isEqualTo(COMMIT);
        assertThat(m.path("environment").path("java_version").asText()).isEqualTo("17.0.15");
        assertThat(m.path("registered_by").asText()).isEqualTo("erin");
        assertThat(m.path("training_date").asText()).isEqualTo("2026-02-02");
        assertThat(m.path("creation_timestamp").asLong()).isPositive();

        Result tree = mlv("models", "lineage", "models:/lineage-model/1");
        assertThat(tree.exit()).as(tree.err()).isZero();
        assertThat(tree.out()).contains("run " + runB).contains(DATASET_DIGEST).contains("commit " + COMMIT)
                .contains("lr = 0.01").contains("accuracy = 0.93").contains("checkpoints/epoch-2")
                .contains("step 200").contains("└── ");

        JsonNode lineage = mlv("models", "lineage", "models:/lineage-model/latest", "--json").json();
        JsonNode run = lineage.path("model_version").path("run");
        assertThat(run.path("run_id").asText()).isEqualTo(runB);
        assertThat(run.path("checkpoints")).hasSize(2);
        assertThat(run.path("checkpoints").get(1).path("epoch").asLong()).isEqualTo(2);
        assertThat(run.path("checkpoints").get(1).path("details").path("metrics").path("loss").asDouble()).isEqualTo(0.5);
        assertThat(run.path("datasets").get(0).path("digest").asText()).isEqualTo(DATASET_DIGEST);
        assertThat(run.path("code").path("git_commit").asText()).isEqualTo(COMMIT);
        assertThat(run.path("environment").path("os").asText()).isEqualTo("Linux");
    }

    @Test
    void usageErrorsExitTwoFailuresExitOne() {
        Result noStage = mlv("models", "promote", "fraud", "1");
        assertThat(noStage.exit()).isEqualTo(2);
        assertThat(noStage.err()).contains("--to");
        assertThat(mlv("models", "rollback", "fraud").exit()).isEqualTo(2);
        assertThat(mlv("models", "rollback", "fraud", "--stage", "Production", "--alias", "x").exit()).isEqualTo(2);
        Result badUri = mlv("models", "metadata", "models:/a/b/c");
        assertThat(badUri.exit()).isEqualTo(2);
        assertThat(badUri.err()).startsWith("mlv: error: ").contains("models:/a/b/c");
        Result unknown = mlv("models", "lineage", "models:/no-such-model/1");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err().lines().count()).isLessThanOrEqualTo(2);
        assertThat(mlv("models", "history", "no-such-model").exit()).isEqualTo(1);
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] cmd : new String[][]{{"models"}, {"models", "list"}, {"models", "describe"},
                {"models", "register"}, {"models", "transition"}, {"models", "alias", "set"}, {"models", "alias", "delete"},
                {"models", "promote"}, {"models", "approve"}, {"models", "rollback"}, {"models", "history"},
                {"models", "metadata"}, {"models", "lineage"}, {"audit", "log"}, {"audit", "verify"}}) {
            List<String> args = new ArrayList<>(Arrays.asList(cmd));
            args.add("--help");
            Result r = mlv(args.toArray(String[]::new));
            assertThat(r.exit()).as(String.join(" ", cmd)).isZero();
            assertThat(r.out()).as(String.join(" ", cmd)).contains("Usage: mlv " + String.join(" ", cmd));
        }
        assertThat(mlv("models", "promote", "--help").out()).contains("3").contains("gate failed");
    }
}
