package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;

/** The registry over REST: MLflow's API, mlv's extensions, and the bad-input suite. One server for the class. */
class RegistryRestTest {
    @TempDir
    static Path home;
    static MlvServer server;
    static RegistryHttp http;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = new RegistryHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void registeredModelsFollowMlflowsApi() {
        String name = unique("rm");
        JsonNode created = http.ok(http.post(MLFLOW + "registered-models/create", obj("name", name, "description", "d",
                "tags", List.of(Map.of("key", "team", "value", "risk")))));
        assertThat(created.at("/registered_model/name").asText()).isEqualTo(name);
        assertThat(created.at("/registered_model/tags/0/key").asText()).isEqualTo("team");
        assertThat(created.at("/registered_model/creation_timestamp").isNumber()).isTrue();
        RegistryHttp.Reply dup = http.post(MLFLOW + "registered-models/create", obj("name", name));
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.errorCode()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        RegistryHttp.Reply missing = http.post(MLFLOW + "registered-models/create", obj());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(http.get(MLFLOW + "registered-models/get", Map.of("name", name + "-x")).errorCode())
                .isEqualTo("RESOURCE_DOES_NOT_EXIST");

        http.ok(http.patch(MLFLOW + "registered-models/update", obj("name", name, "description", "new")));
        http.ok(http.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "owner", "value", "ops")));
        http.ok(http.delete(MLFLOW + "registered-models/delete-tag", obj("name", name, "key", "team")));
        JsonNode renamed = http.ok(http.post(MLFLOW + "registered-models/rename", obj("name", name, "new_name", name + "-b")));
        assertThat(renamed.at("/registered_model/name").asText()).isEqualTo(name + "-b");
        assertThat(renamed.at("/registered_model/description").asText()).isEqualTo("new");
        assertThat(renamed.at("/registered_model/tags").toString()).contains("owner").doesNotContain("team");

        JsonNode found = http.ok(http.get(MLFLOW + "registered-models/search",
                Map.of("filter", "name LIKE '" + name + "%' AND tags.owner = 'ops'")));
        assertThat(found.path("registered_models")).hasSize(1);
        assertThat(http.get(MLFLOW + "registered-models/search", Map.of("max_results", "1001")).status()).isEqualTo(400);
        assertThat(http.get(MLFLOW + "registered-models/search", Map.of("filter", "name = ")).status()).isEqualTo(400);

        http.ok(http.delete(MLFLOW + "registered-models/delete", obj("name", name + "-b")));
        assertThat(http.get(MLFLOW + "registered-models/get", Map.of("name", name + "-b")).status()).isEqualTo(404);
    }

    @Test
    void versionsRecordTheirFilesDigestsAndDownloadThroughTheProxy() throws Exception {
        String name = unique("files");
        http.createModel(name);
        String runId = http.run(Map.of("accuracy", 0.9));
        String root = http.artifactUri(runId).substring("mlflow-artifacts:/".length());
        byte[] mlmodel = "flavors:\n  onnx:\n    data: model.onnx\n".getBytes(StandardCharsets.UTF_8);
        byte[] onnx = new byte[100_000];
        new java.util.Random(7).nextBytes(onnx);
        http.upload(root + "/model/MLmodel", mlmodel);
        http.upload(root + "/model/data/model.onnx", onnx);

        JsonNode v = http.ok(http.post(MLFLOW + "model-versions/create", obj("name", name, "source", "runs:/" + runId + "/model",
                "run_id", runId, "description", "first", "run_link", "http://ci/1",
                "tags", List.of(Map.of("key", "k", "value", "v"))), "alice")).path("model_version");
        assertThat(v.path("version").asText()).isEqualTo("1");
        assertThat(v.path("current_stage").asText()).isEqualTo("None");
        assertThat(v.path("status").asText()).isEqualTo("READY");
        assertThat(v.path("source").asText()).isEqualTo("runs:/" + runId + "/model");
        assertThat(v.path("user_id").asText()).isEqualTo("alice");

        JsonNode files = http.ok(http.get(MLV + "model-versions/files", Map.of("name", name, "version", "1"))).path("files");
        assertThat(files).hasSize(2);
        assertThat(files.get(0).path("path").asText()).isEqualTo("MLmodel");
        assertThat(files.get(0).path("sha256").asText()).isEqualTo(sha256(mlmodel));
        assertThat(files.get(1).path("path").asText()).isEqualTo("data/model.onnx");
        assertThat(files.get(1).path("size").asLong()).isEqualTo(onnx.length);

        String uri = http.ok(http.get(MLFLOW + "model-versions/get-download-uri", Map.of("name", name, "version", "1")))
                .path("artifact_uri").asText();
        assertThat(uri).isEqualTo("mlflow-artifacts:/" + root + "/model");
        byte[] got = http.download("/api/2.0/mlflow-artifacts/artifacts/" + uri.substring("mlflow-artifacts:/".length())
                + "/data/model.onnx");
        assertThat(sha256(got)).isEqualTo(files.get(1).path("sha256").asText());

        // a version registered from another version's URI and from an mlflow-artifacts path
        String v2 = http.ok(http.post(MLFLOW + "model-versions/create", obj("name", name, "source", "models:/" + name + "/1")))
                .at("/model_version/version").asText();
        assertThat(http.ok(http.get(MLV + "model-versions/files", Map.of("name", name, "version", v2))).path("files")).hasSize(2);
        String v3 = http.ok(http.post(MLFLOW + "model-versions/create", obj("name", name,
                "source", "mlflow-artifacts:/" + root + "/model"))).at("/model_version/version").asText();
        assertThat(v3).isEqualTo("3");

        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion", "version", "1")));
        http.ok(http.post(MLFLOW + "model-versions/transition-stage", obj("name", name, "version", "3", "stage", "production",
                "archive_existing_versions", false)));
        for (var e : Map.of("models:/" + name + "@champion", "1", "models:/" + name + "/Production", "3",
                "models:/" + name + "/latest", "3", "models:/" + name + "/2", "2").entrySet()) {
            JsonNode r = http.ok(http.get(MLV + "models/resolve", Map.of("uri", e.getKey())));
            assertThat(r.path("version").asText()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(r.path("download_uri").asText()).isEqualTo("mlflow-artifacts:/" + root + "/model");
            assertThat(r.path("model_version").path("name").asText()).isEqualTo(name);
        }
        assertThat(http.get(MLV + "models/resolve", Map.of("uri", "models:/" + name + "/Staging")).status()).isEqualTo(404);
        assertThat(http.get(MLV + "models/resolve", Map.of("uri", "models:/" + name + "/../x")).status()).isEqualTo(400);

        JsonNode search = http.ok(http.get(MLFLOW + "model-versions/search", Map.of("filter", "run_id = '" + runId + "'")));
        assertThat(search.path("model_versions")).hasSize(1);
        JsonNode byName = http.ok(http.get(MLFLOW + "model-versions/search", Map.of("filter", "name = '" + name + "'",
                "max_results", "2")));
        assertThat(byName.path("model_versions")).hasSize(2);
        assertThat(byName.path("next_page_token").asText()).isNotEmpty();

        http.ok(http.post(MLFLOW + "model-versions/set-tag", obj("name", name, "version", "1", "key", "q", "value", "ok")));
        http.ok(http.delete(MLFLOW + "model-versions/delete-tag", obj("name", name, "version", "1", "key", "q")));
        http.ok(http.patch(MLFLOW + "model-versions/update", obj("name", name, "version", "1", "description", "changed")));
        assertThat(http.ok(http.get(MLFLOW + "model-versions/get", Map.of("name", name, "version", "1")))
                .at("/model_version/description").asText()).isEqualTo("changed");
        http.ok(http.delete(MLFLOW + "model-versions/delete", obj("name", name, "version", "2")));
        assertThat(http.get(MLFLOW + "model-versions/get", Map.of("name", name, "version", "2")).status()).isEqualTo(404);
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static String badSourceRun;

    /** Sources MLflow's CVEs taught to refuse (security.md §1), raw and encoded. */
    @ParameterizedTest
    @ValueSource(strings = {
            "file:///etc/", "/", "/etc/passwd", "file:///tmp", "relative/path", "file://123.456.789.123/path/to/source",
            "//proc/self/root", "//proc/self/root/etc/passwd", "file://proc/self/root",
            "mlflow-artifacts://host:9000/models/../../../", "http://host:9000/models/../../../",
            "https://host/api/2.0/mlflow-artifacts/artifacts/../../../", "s3a://bucket/models/../../../",
            "ftp://host/models/../../../", "mlflow-artifacts:/models/..%2f..%2fartifacts", "mlflow-artifacts:/artifact%00",
            "dbfs:/run/artifacts/a%3f/../../..", "mlflow-artifacts:/a/%252e%252e/%252e%252e/etc",
            "mlflow-artifacts:/a\\..\\..\\etc", "\\..\\..\\file", "C:\\Windows\\system32", "C:/Windows",
            "http:///#/../../../../etc/", "mlflow-artifacts:/models#/../../x", "mlflow-artifacts:/models;/../x",
            "mlflow-artifacts:/models?x=../../etc", "http://foo/bar?a=../../etc", "mlflow-artifacts:/models%3fa=..%2f..",
            "mlflow-artifacts:/a\nb", "mlflow-artifacts:/", "s3://path/to/model", "runs:/../x/model",
            "runs:/abc/../../etc", "models:/../x/1", "models:/a/b/c", " mlflow-artifacts:/x", "mlflow-artifacts:x",
            "mlflow-artifacts://evil.example.com/x", "FILE:///etc/passwd", "file:/etc/passwd", "~/x"})
    void badSourcesAreRejectedAndNothingIsStored(String source) {
        String name = "bad-sources";
        if (badSourceRun == null) {
            http.createModel(name);
            badSourceRun = http.run(Map.of());
        }
        String runId = badSourceRun;
        int eventsBefore = auditCount();
        for (JsonNode body : List.of(obj("name", name, "source", source), obj("name", name, "source", source, "run_id", runId))) {
            RegistryHttp.Reply r = http.post(MLFLOW + "model-versions/create", body);
            assertThat(r.status()).as(source + " → " + r.body()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        }
        assertThat(http.ok(http.get(MLFLOW + "model-versions/search", Map.of("filter", "name = '" + name + "'")))
                .path("model_versions")).isEmpty();
        assertThat(auditCount()).isEqualTo(eventsBefore);
    }

    @Test
    void localSourcesAreAcceptedOnlyInsideTheVersionsOwnRun() throws Exception {
        String name = unique("local");
        http.createModel(name);
        String runId = http.run(Map.of());
        String other = http.run(Map.of());
        String root = http.artifactUri(runId).substring("mlflow-artifacts:/".length());
        http.upload(root + "/model/MLmodel", "x".getBytes(StandardCharsets.UTF_8));
        Path artifacts = home.resolve("artifacts").toRealPath();
        String inside = artifacts.resolve(root).resolve("model").toUri().toString();
        JsonNode v = http.ok(http.post(MLFLOW + "model-versions/create", obj("name", name, "source", inside, "run_id", runId)));
        assertThat(v.at("/model_version/source").asText()).isEqualTo(inside);
        assertThat(http.ok(http.get(MLFLOW + "model-versions/get-download-uri", Map.of("name", name, "version", "1")))
                .path("artifact_uri").asText()).isEqualTo("mlflow-artifacts:/" + root + "/model");
        assertThat(http.post(MLFLOW + "model-versions/create", obj("name", name, "source", inside, "run_id", other)).status())
                .isEqualTo(400);
        assertThat(http.post(MLFLOW + "model-versions/create", obj("name", name, "source", inside)).status()).isEqualTo(400);
        assertThat(http.post(MLFLOW + "model-versions/create", obj("name", name, "source",
                artifacts.resolve(root).resolve("../../../..").toString(), "run_id", runId)).status()).isEqualTo(400);
    }

    /** CVE-2024-3099: a URL-encoded (or case/Unicode variant) name must not collide with or stand for an existing one. */
    @Test
    void namesThatCouldStandForAnotherAreRejected() {
        String name = unique("fraud model");
        http.createModel(name);
        for (String evil : List.of(name.replace(" ", "%20"), name.replace(" ", "%2520"), name.toUpperCase(),
                name.replace("fraud", "ｆraud"), name + " ", "a/b", "a\\b", "x\u0000y", "")) {
            RegistryHttp.Reply r = http.post(MLFLOW + "registered-models/create", obj("name", evil));
            assertThat(r.status()).as(evil).isEqualTo(400);
            assertThat(r.errorCode()).isIn("INVALID_PARAMETER_VALUE", "RESOURCE_ALREADY_EXISTS");
        }
        assertThat(http.get(MLFLOW + "registered-models/get", Map.of("name", name.replace(" ", "%20"))).status()).isEqualTo(404);
        http.createModel(name + "-2");
        assertThat(http.post(MLFLOW + "registered-models/rename", obj("name", name + "-2", "new_name", name.toUpperCase()))
                .errorCode()).isEqualTo("RESOURCE_ALREADY_EXISTS");
    }

    @Test
    void aliasesSetMoveDeleteAndReservedNames() {
        String name = unique("alias");
        http.createModel(name);
        String runId = http.run(Map.of());
        http.version(name, runId);
        http.version(name, runId);
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion", "version", "1")));
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion", "version", "2", "reason", "retrained"), "bob"));
        assertThat(http.ok(http.get(MLFLOW + "registered-models/alias", Map.of("name", name, "alias", "champion")))
                .at("/model_version/version").asText()).isEqualTo("2");
        JsonNode model = http.ok(http.get(MLFLOW + "registered-models/get", Map.of("name", name))).path("registered_model");
        assertThat(model.at("/aliases/0/alias").asText()).isEqualTo("champion");
        assertThat(model.at("/aliases/0/version").asText()).isEqualTo("2");
        for (String reserved : List.of("latest", "Latest", "v1", "V42", "bad alias", "a".repeat(256))) {
            assertThat(http.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", reserved, "version", "1")).status())
                    .as(reserved).isEqualTo(400);
        }
        http.ok(http.delete(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion")));
        assertThat(http.get(MLFLOW + "registered-models/alias", Map.of("name", name, "alias", "champion")).status()).isEqualTo(404);
        JsonNode moves = http.ok(http.get(MLV + "registered-models/history", Map.of("name", name, "alias", "champion"))).path("moves");
        assertThat(moves).hasSize(3);
        assertThat(moves.get(0).path("from_version").asText()).isEqualTo("2");
        assertThat(moves.get(0).path("to_version").isNull()).isTrue();
        assertThat(moves.get(1).path("user").asText()).isEqualTo("bob");
        assertThat(moves.get(1).path("reason").asText()).isEqualTo("retrained");
        assertThat(moves.get(1).path("kind").asText()).isEqualTo("alias");
        assertThat(moves.get(1).path("key").asText()).isEqualTo("champion");
        // rolling back the delete points the alias at the version it had before
        assertThat(http.ok(http.post(MLV + "registered-models/rollback", obj("name", name, "alias", "champion")))
                .at("/model_version/version").asText()).isEqualTo("2");
    }

    @Test
    void archiveExistingAndRollbackTwiceReturnsToWhereItStarted() {
        String name = unique("rollback");
        http.createModel(name);
        String runId = http.run(Map.of());
        for (int i = 0; i < 3; i++) http.version(name, runId);
        assertThat(http.post(MLV + "registered-models/rollback", obj("name", name, "stage", "Production")).status()).isEqualTo(400);
        for (String v : List.of("1", "2", "3")) {
            JsonNode mv = http.ok(http.post(MLFLOW + "model-versions/transition-stage", obj("name", name, "version", v,
                    "stage", "PRODUCTION", "archive_existing_versions", true), "ci")).path("model_version");
            assertThat(mv.path("current_stage").asText()).isEqualTo("Production");
        }
        assertThat(http.ok(http.get(MLFLOW + "model-versions/get", Map.of("name", name, "version", "2")))
                .at("/model_version/current_stage").asText()).isEqualTo("Archived");
        JsonNode latest = http.ok(http.post(MLFLOW + "registered-models/get-latest-versions", obj("name", name))).path("model_versions");
        assertThat(latest).hasSize(2);
        assertThat(http.get(MLFLOW + "registered-models/get-latest-versions", Map.of("name", name, "stages", "Bogus")).status())
                .isEqualTo(400);

        JsonNode first = http.ok(http.post(MLV + "registered-models/rollback", obj("name", name, "stage", "Production",
                "reason", "bad canary"), "oncall"));
        assertThat(first.at("/model_version/version").asText()).isEqualTo("2");
        assertThat(first.at("/move/from_version").asText()).isEqualTo("3");
        assertThat(first.at("/move/to_version").asText()).isEqualTo("2");
        assertThat(first.at("/move/user").asText()).isEqualTo("oncall");
        assertThat(http.stageHolder(name, "Production")).isEqualTo("2");
        JsonNode second = http.ok(http.post(MLV + "registered-models/rollback", obj("name", name, "stage", "production")));
        assertThat(second.at("/model_version/version").asText()).isEqualTo("3");
        assertThat(http.stageHolder(name, "Production")).isEqualTo("3");
        JsonNode moves = http.ok(http.get(MLV + "registered-models/history", Map.of("name", name, "stage", "Production"))).path("moves");
        List<String> seq = new ArrayList<>();
        moves.forEach(m -> seq.add(m.path("from_version").asText("-") + ">" + m.path("to_version").asText()));
        assertThat(seq).containsExactly("2>3", "3>2", "2>3", "1>2", "->1");
        assertThat(moves.get(2).path("reason").isNull()).isTrue();
        assertThat(moves.get(1).path("reason").asText()).isEqualTo("bad canary");
        assertThat(http.post(MLV + "registered-models/rollback", obj("name", name)).status()).isEqualTo(400);
        assertThat(http.post(MLV + "registered-models/rollback", obj("name", name, "stage", "None")).status()).isEqualTo(400);
    }

    @Test
    void promotionGatesDecideAndAFailedGateChangesNothing() {
        String name = unique("gates");
        http.createModel(name);
        String v1 = http.version(name, http.run(Map.of("accuracy", 0.80)));
        String v2 = http.version(name, http.run(Map.of("accuracy", 0.95)));
        String v3 = http.version(name, http.run(Map.of("accuracy", 0.93)));
        int events = auditCount();
        JsonNode fail = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v1, "stage", "Production",
                "requirements", List.of("metrics.accuracy >= 0.9"))));
        assertThat(fail.path("promoted").asBoolean()).isFalse();
        assertThat(fail.path("pending_approval").asBoolean()).isFalse();
        assertThat(fail.at("/checks/0/passed").asBoolean()).isFalse();
        assertThat(fail.at("/checks/0/gate").asText()).isEqualTo("metrics.accuracy >= 0.9");
        assertThat(fail.at("/checks/0/detail").asText()).contains("0.8");
        assertThat(fail.at("/model_version/current_stage").asText()).isEqualTo("None");
        assertThat(auditCount()).isEqualTo(events);

        JsonNode ok = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v2, "stage", "Production",
                "requirements", List.of("metrics.accuracy >= 0.9"), "require_better_than_current", List.of("accuracy"),
                "reason", "best so far"), "ci"));
        assertThat(ok.path("promoted").asBoolean()).isTrue();
        assertThat(ok.at("/model_version/current_stage").asText()).isEqualTo("Production");
        assertThat(ok.path("checks")).hasSize(2);

        JsonNode worse = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v3, "stage", "Production",
                "require_better_than_current", List.of("accuracy"), "archive_existing_versions", true)));
        assertThat(worse.path("promoted").asBoolean()).isFalse();
        assertThat(worse.at("/checks/0/detail").asText()).contains("0.93").contains("0.95");
        assertThat(http.stageHolder(name, "Production")).isEqualTo(v2);
        assertThat(http.post(MLV + "model-versions/promote", obj("name", name, "version", v3, "stage", "Production",
                "requirements", List.of("metrics.accuracy >>= 1"))).status()).isEqualTo(400);
        assertThat(http.post(MLV + "model-versions/promote", obj("name", name, "version", v3, "stage", "Prod")).status()).isEqualTo(400);
    }

    @Test
    void filesChangedAfterRegistrationBlockPromotionAndApproval() {
        String name = unique("tampered");
        http.createModel(name);
        String runId = http.run(Map.of("accuracy", 0.99));
        String root = http.artifactUri(runId).substring("mlflow-artifacts:/".length());
        http.upload(root + "/model/MLmodel", "flavors: {}\n".getBytes(StandardCharsets.UTF_8));
        http.upload(root + "/model/model.onnx", "weights-v1".getBytes(StandardCharsets.UTF_8));
        String v = http.version(name, runId);
        JsonNode ok = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Staging",
                "requirements", List.of("metrics.accuracy > 0.5"))));
        assertThat(ok.path("promoted").asBoolean()).isTrue();
        assertThat(ok.at("/checks/1/gate").asText()).isEqualTo(RegistryService.FILES_GATE);
        assertThat(ok.at("/checks/1/passed").asBoolean()).isTrue();

        http.upload(root + "/model/model.onnx", "weights-poisoned".getBytes(StandardCharsets.UTF_8));
        JsonNode blocked = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Production")));
        assertThat(blocked.path("promoted").asBoolean()).isFalse();
        assertThat(blocked.at("/checks/0/passed").asBoolean()).isFalse();
        assertThat(blocked.at("/checks/0/detail").asText()).contains("model.onnx changed");
        assertThat(http.stageHolder(name, "Production")).isNull();

        http.upload(root + "/model/model.onnx", "weights-v1".getBytes(StandardCharsets.UTF_8));
        http.ok(http.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "mlv.require_approval", "value", "*")));
        assertThat(http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Production"), "alice"))
                .path("pending_approval").asBoolean()).isTrue();
        http.upload(root + "/model/extra.bin", new byte[]{1});
        RegistryHttp.Reply refused = http.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production"), "bob");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().path("message").asText()).contains("extra.bin was added after registration");
        assertThat(http.stageHolder(name, "Production")).isNull();
    }

    @Test
    void fourEyesPromotionNeedsADifferentApprover() {
        String name = unique("four-eyes");
        http.createModel(name);
        http.ok(http.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "mlv.require_approval", "value", "Production")));
        String v = http.version(name, http.run(Map.of("accuracy", 0.99)));
        JsonNode staging = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Staging"), "alice"));
        assertThat(staging.path("promoted").asBoolean()).isTrue();
        JsonNode req = http.ok(http.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Production",
                "reason", "ship it"), "alice"));
        assertThat(req.path("promoted").asBoolean()).isFalse();
        assertThat(req.path("pending_approval").asBoolean()).isTrue();
        assertThat(http.stageHolder(name, "Production")).isNull();
        JsonNode pending = http.ok(http.get(MLV + "model-versions/pending", Map.of("name", name))).path("pending");
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).path("requested_by").asText()).isEqualTo("alice");
        assertThat(pending.get(0).path("stage").asText()).isEqualTo("Production");
        RegistryHttp.Reply self = http.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production"), "alice");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.errorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(http.stageHolder(name, "Production")).isNull();
        JsonNode approved = http.ok(http.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production",
                "reason", "reviewed"), "bob"));
        assertThat(approved.at("/model_version/current_stage").asText()).isEqualTo("Production");
        assertThat(http.ok(http.get(MLV + "model-versions/pending", Map.of("name", name))).path("pending")).isEmpty();
        JsonNode last = lastEvent(name);
        assertThat(last.path("action").asText()).isEqualTo("model_version.approve_transition");
        assertThat(last.path("user").asText()).isEqualTo("bob");
        assertThat(last.at("/payload/requested_by").asText()).isEqualTo("alice");
        assertThat(http.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production"), "bob").status())
                .isEqualTo(404);
    }

    @Test
    void twoClientsRacingToPromoteLeaveOneConsistentStateAndAValidChain() throws Exception {
        String name = unique("race");
        http.createModel(name);
        String runId = http.run(Map.of());
        http.version(name, runId);
        http.version(name, runId);
        RegistryHttp a = new RegistryHttp(server);
        RegistryHttp b = new RegistryHttp(server);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 15; round++) {
                CyclicBarrier barrier = new CyclicBarrier(2);
                List<Future<RegistryHttp.Reply>> fs = new ArrayList<>();
                for (var client : List.of(Map.entry(a, "1"), Map.entry(b, "2"))) {
                    fs.add(pool.submit(() -> {
                        barrier.await();
                        return client.getKey().post(MLV + "model-versions/promote", obj("name", name, "version", client.getValue(),
                                "stage", "Production", "archive_existing_versions", true), "user" + client.getValue());
                    }));
                }
                for (Future<RegistryHttp.Reply> f : fs) assertThat(f.get().status()).isEqualTo(200);
                JsonNode all = http.ok(http.get(MLFLOW + "model-versions/search", Map.of("filter", "name = '" + name + "'"))).path("model_versions");
                int inProd = 0;
                for (JsonNode v : all) if (v.path("current_stage").asText().equals("Production")) inProd++;
                assertThat(inProd).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        JsonNode moves = http.ok(http.get(MLV + "registered-models/history", Map.of("name", name, "stage", "Production"))).path("moves");
        List<String> users = new ArrayList<>();
        List<String> to = new ArrayList<>();
        moves.forEach(m -> { users.add(m.path("user").asText()); to.add(m.path("to_version").asText()); });
        assertThat(users).contains("user1", "user2");
        assertThat(to).contains("1", "2");
        JsonNode verify = http.ok(http.get(MLV + "audit/verify", Map.of()));
        assertThat(verify.path("valid").asBoolean()).isTrue();
        assertThat(verify.path("first_invalid_seq").isNull()).isTrue();
    }

    @Test
    void theActingUserComesFromTheHeaderThenBasicAuthThenAnonymous() {
        String name = unique("user");
        String basic = "Basic " + Base64.getEncoder().encodeToString("carol:secret".getBytes(StandardCharsets.UTF_8));
        http.ok(http.post(MLFLOW + "registered-models/create", obj("name", name)));
        assertThat(lastEvent(name).path("user").asText()).isEqualTo("anonymous");
        try {
            var req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url() + MLFLOW + "registered-models/set-tag"))
                    .header("Content-Type", "application/json").header("Authorization", basic)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(obj("name", name, "key", "a", "value", "b").toString())).build();
            assertThat(java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(lastEvent(name).path("user").asText()).isEqualTo("carol");
        http.ok(http.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "a", "value", "c"), "dave"));
        assertThat(lastEvent(name).path("user").asText()).isEqualTo("dave");
    }

    @Test
    void auditEventsArePagedOldestFirstAndChained() {
        String name = unique("audit");
        http.createModel(name);
        for (int i = 0; i < 4; i++) http.ok(http.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "k" + i, "value", "v")));
        JsonNode p1 = http.ok(http.get(MLV + "audit/events", Map.of("model", name, "max_results", "3")));
        assertThat(p1.path("events")).hasSize(3);
        assertThat(p1.at("/events/0/action").asText()).isEqualTo("registered_model.create");
        assertThat(p1.at("/events/1/seq").asLong()).isGreaterThan(p1.at("/events/0/seq").asLong());
        assertThat(p1.at("/events/1/payload/key").asText()).isEqualTo("k0");
        assertThat(p1.at("/events/0/hash").asText()).hasSize(64);
        JsonNode p2 = http.ok(http.get(MLV + "audit/events", Map.of("model", name, "max_results", "3",
                "page_token", p1.path("next_page_token").asText())));
        assertThat(p2.path("events")).hasSize(2);
        assertThat(p2.path("next_page_token").isNull()).isTrue();
    }

    private static int auditCount() {
        int n = 0;
        String token = null;
        do {
            Map<String, String> q = token == null ? Map.of("max_results", "10000") : Map.of("max_results", "10000", "page_token", token);
            JsonNode page = http.ok(http.get(MLV + "audit/events", q));
            n += page.path("events").size();
            token = page.path("next_page_token").isNull() ? null : page.path("next_page_token").asText();
        } while (token != null);
        return n;
    }

    private static JsonNode lastEvent(String model) {
        JsonNode events = http.ok(http.get(MLV + "audit/events", Map.of("model", model))).path("events");
        return events.get(events.size() - 1);
    }
}
