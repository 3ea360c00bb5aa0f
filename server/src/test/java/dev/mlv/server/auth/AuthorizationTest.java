package dev.mlv.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.permissions.Permission;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.registry.RegistryHttp;
import dev.mlv.server.registry.RegistryHttp.Reply;
import dev.mlv.users.UsersFile;
import dev.mlv.users.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Permissions on a server with users: every route has a rule, each user may do what their grant (or the default,
 * READ) allows and nothing more, refusals change nothing, and listings show only what a user may read.
 */
class AuthorizationTest {
    private static final int FAST = 1_000;
    private static final String ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts/";
    @TempDir
    static Path home;
    static MlvServer server;
    static RegistryHttp admin;
    static RegistryHttp alice;
    static RegistryHttp bob;
    static RegistryHttp carol;

    @BeforeAll
    static void start() {
        Path users = home.resolve("users");
        new UsersFile(users).create(User.withPassword("root", "root-secret", FAST, true), "test");
        for (String u : new String[]{"alice", "bob", "carol"}) new UsersFile(users).create(User.withPassword(u, u + "-secret", FAST, false), "test");
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withAuthFile(users));
        admin = new RegistryHttp(server, "root", "root-secret");
        alice = new RegistryHttp(server, "alice", "alice-secret");
        bob = new RegistryHttp(server, "bob", "bob-secret");
        carol = new RegistryHttp(server, "carol", "carol-secret");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void everyServedRouteHasARuleAndWebhooksAreForAdministrators() {
        Set<String> served = server.routes().stream().map(r -> {
            int space = r.indexOf(' ');
            return AccessRules.key(r.substring(0, space), r.substring(space + 1));
        }).collect(Collectors.toCollection(TreeSet::new));
        served.removeAll(Set.of("GET /health", "GET /version"));
        Set<String> withoutRule = new TreeSet<>(served);
        withoutRule.removeAll(AccessRules.routes());
        assertThat(withoutRule).as("routes without a rule (administrators only)").isEmpty();
        assertThat(served).as("no rule for a route that is not served").containsAll(AccessRules.routes());

        Reply refused = bob.get(MLFLOW + "webhooks", Map.of());
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.errorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(admin.get(MLFLOW + "webhooks", Map.of()).status()).isEqualTo(200);
    }

    @Test
    void experimentsAndRunsFollowTheGrantOrTheDefault() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "churn-" + System.nanoTime())))
                .path("experiment_id").asText();
        String run = alice.ok(alice.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText();
        JsonNode metric = obj("run_id", run, "key", "loss", "value", 0.5, "timestamp", 1L, "step", 0L);

        // bob has the default, READ
        assertThat(bob.get(MLFLOW + "runs/get", Map.of("run_id", run)).status()).isEqualTo(200);
        assertDenied(bob.post(MLFLOW + "runs/log-metric", metric), "may not update experiment '" + exp + "'");
        assertDenied(bob.post(MLFLOW + "runs/create", obj("experiment_id", exp)), "READ");
        assertDenied(bob.post(MLFLOW + "runs/create", obj()), "experiment '0'");
        // presigned URLs: reading may ask for a download URL (here: no such file), not for an upload URL
        assertDenied(bob.post(MLFLOW + "artifacts/presigned-upload-url", obj("run_id", run, "path", "x.bin")), "may not update");
        assertThat(bob.post(MLFLOW + "artifacts/presigned-download-url", obj("run_id", run, "path", "x.bin")).status()).isEqualTo(404);
        assertThat(alice.ok(alice.get(MLFLOW + "metrics/get-history", Map.of("run_id", run, "metric_key", "loss")))
                .path("metrics")).as("the refused metric was not logged").isEmpty();

        // alice created the experiment: she manages it, and grants bob EDIT
        alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "bob", "permission", "EDIT")));
        bob.ok(bob.post(MLFLOW + "runs/log-metric", metric));
        assertDenied(bob.post(MLFLOW + "runs/delete", obj("run_id", run)), "may not delete");
        assertDenied(bob.patch(MLFLOW + "experiments/permissions/update",
                obj("experiment_id", exp, "username", "bob", "permission", "MANAGE")), "may not manage");
        alice.ok(alice.patch(MLFLOW + "experiments/permissions/update",
                obj("experiment_id", exp, "username", "bob", "permission", "MANAGE")));
        bob.ok(bob.post(MLFLOW + "runs/delete", obj("run_id", run)));
        bob.ok(bob.post(MLFLOW + "runs/restore", obj("run_id", run)));

        // carol is shut out: she neither reads it nor finds it
        alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "carol", "permission", "NO_PERMISSIONS")));
        assertDenied(carol.get(MLFLOW + "experiments/get", Map.of("experiment_id", exp)), "NO_PERMISSIONS");
        assertDenied(carol.get(MLFLOW + "runs/get", Map.of("run_id", run)), "may not read");
        assertDenied(carol.post(MLFLOW + "runs/search", obj("experiment_ids", new String[]{exp})), "may not read");
        assertThat(carol.ok(carol.get(MLFLOW + "experiments/search", Map.of("max_results", "1000")))
                .path("experiments").findValuesAsText("experiment_id")).doesNotContain(exp).contains("0");
        assertThat(bob.ok(bob.get(MLFLOW + "experiments/search", Map.of("max_results", "1000")))
                .path("experiments").findValuesAsText("experiment_id")).contains(exp, "0");
        assertThat(admin.get(MLFLOW + "experiments/get", Map.of("experiment_id", exp)).status()).isEqualTo(200);

        String model = alice.ok(alice.post(MLFLOW + "logged-models", obj("experiment_id", exp, "name", "m")))
                .at("/model/info/model_id").asText();
        assertThat(bob.ok(bob.get(MLFLOW + "logged-models:batchGet", Map.of("model_ids", model))).path("models")).hasSize(1);
        assertThat(carol.ok(carol.get(MLFLOW + "logged-models:batchGet", Map.of("model_ids", model))).path("models")).isEmpty();
        assertDenied(carol.get(MLFLOW + "logged-models/" + model, Map.of()), "may not read");
    }

    @Test
    void theAccessLogNamesTheAuthenticatedUser() {
        ch.qos.logback.classic.Logger access = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.mlv.server.access");
        var seen = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        seen.start();
        access.addAppender(seen);
        ch.qos.logback.classic.Level level = access.getLevel(); // tests run quieter than a server does
        access.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            bob.get(MLFLOW + "experiments/get", Map.of("experiment_id", "0"));
            bob.get(MLFLOW + "webhooks", Map.of());
            // the line is written once the answer is sent: wait for both
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.list.stream().filter(e -> e.getFormattedMessage().contains("user=bob")).count() < 2
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
        } finally {
            access.detachAppender(seen);
            access.setLevel(level);
        }
        assertThat(seen.list).extracting(e -> e.getFormattedMessage()).anyMatch(m -> m.matches(
                "GET /api/2.0/mlflow/experiments/get 200 \\d+\\.\\dms user=bob"))
                .anyMatch(m -> m.matches("GET /api/2.0/mlflow/webhooks 403 \\d+\\.\\dms user=bob"));
    }

    @Test
    void theOfficialMlflowClientReadsWhatItMayAndIsRefusedTheRestWith403() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "client-" + System.nanoTime())))
                .path("experiment_id").asText();
        MlflowClient asBob = new MlflowClient(new BasicMlflowHostCreds(server.url(), "bob", "bob-secret"));
        assertThat(asBob.getExperiment(exp).getExperimentId()).isEqualTo(exp);
        assertThatThrownBy(() -> asBob.createRun(exp))
                .isInstanceOfSatisfying(MlflowHttpException.class, e -> assertThat(e.getStatusCode()).isEqualTo(403));
        assertThat(asBob.searchRuns(java.util.List.of(exp), "")).as("the refused run was not created").isEmpty();
        MlflowClient asAlice = new MlflowClient(new BasicMlflowHostCreds(server.url(), "alice", "alice-secret"));
        assertThat(asAlice.createRun(exp).getExperimentId()).isEqualTo(exp);
    }

    @Test
    void artifactsNeedReadToDownloadEditToUploadAndManageToDelete() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "files-" + System.nanoTime())))
                .path("experiment_id").asText();
        String file = exp + "/r1/artifacts/model.onnx";
        alice.upload(file, "v1".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(bob.download(ARTIFACTS + file), StandardCharsets.UTF_8)).isEqualTo("v1");
        assertThat(bob.send("HEAD", ARTIFACTS + file, null, null).status()).as("HEAD needs what GET needs").isEqualTo(200);
        assertThat(bob.send("HEAD", ARTIFACTS + "data/sha256/ab/cd", null, null).status()).as("a HEAD has the GET's rule").isEqualTo(403);
        assertDenied(bob.send("PUT", ARTIFACTS + file, obj(), null), "may not update");
        assertThat(new String(alice.download(ARTIFACTS + file), StandardCharsets.UTF_8)).as("nothing overwritten").isEqualTo("v1");
        alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "bob", "permission", "EDIT")));
        // EDIT may upload but not delete (MLflow's CVE-2024-4263)
        assertDenied(bob.send("DELETE", ARTIFACTS + file, null, null), "may not delete");
        assertThat(alice.download(ARTIFACTS + file)).isNotEmpty();
        assertDenied(bob.get(ARTIFACTS.substring(0, ARTIFACTS.length() - 1), Map.of()), "outside an experiment");
        assertDenied(bob.get(ARTIFACTS + "data/sha256/ab/cd", Map.of()), "outside an experiment");
        assertThat(admin.get(ARTIFACTS.substring(0, ARTIFACTS.length() - 1), Map.of("path", exp)).status()).isEqualTo(200);
    }

    @Test
    void registeredModelsFollowTheGrantThroughRenameAndDeletion() {
        String name = "fraud-" + System.nanoTime();
        String run = admin.run(Map.of("auc", 0.9));
        alice.createModel(name);
        String v = alice.version(name, run);

        assertThat(bob.get(MLFLOW + "registered-models/get", Map.of("name", name)).status()).isEqualTo(200);
        assertDenied(bob.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion", "version", v)),
                "may not update registered model '" + name + "'");
        assertDenied(bob.post(MLV + "model-versions/promote", obj("name", name, "version", v, "stage", "Production")), "READ");
        alice.ok(alice.post(MLFLOW + "registered-models/permissions/create",
                obj("name", name, "username", "bob", "permission", "EDIT")));
        bob.ok(bob.post(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion", "version", v)));
        assertDenied(bob.delete(MLFLOW + "registered-models/alias", obj("name", name, "alias", "champion")), "may not delete");
        // arguments sent as query parameters, as some clients send a DELETE's, are checked the same way
        assertDenied(bob.send("DELETE", MLFLOW + "registered-models/alias?name=" + name + "&alias=champion", null, null),
                "may not delete registered model '" + name + "'");
        assertThat(admin.ok(admin.get(MLV + "models/resolve", Map.of("uri", "models:/" + name + "@champion")))
                .toString()).contains(run);

        // carol, shut out of the model, neither sees it in listings nor resolves it
        alice.ok(alice.post(MLFLOW + "registered-models/permissions/create",
                obj("name", name, "username", "carol", "permission", "NO_PERMISSIONS")));
        assertThat(carol.ok(carol.get(MLFLOW + "registered-models/search", Map.of("max_results", "1000")))
                .path("registered_models").findValuesAsText("name")).doesNotContain(name);
        assertThat(carol.ok(carol.get(MLFLOW + "model-versions/search", Map.of("filter", "name='" + name + "'")))
                .path("model_versions")).isEmpty();
        assertThat(bob.ok(bob.get(MLFLOW + "model-versions/search", Map.of("filter", "name='" + name + "'")))
                .path("model_versions")).hasSize(1);
        assertDenied(carol.get(MLV + "models/resolve", Map.of("uri", "models:/" + name + "@champion")), "may not read");
        assertDenied(carol.get(MLV + "models/metadata", Map.of("uri", "models:/" + name + "/1")), "may not read");
        assertThat(carol.ok(carol.get(MLV + "audit/events", Map.of("max_results", "1000"))).path("events")
                .findValuesAsText("model")).doesNotContain(name);

        // a rename carries the grants; a deletion removes them, so a new model of that name starts clean
        String renamed = name + "-v2";
        alice.ok(alice.post(MLFLOW + "registered-models/rename", obj("name", name, "new_name", renamed)));
        assertThat(grants(bob, "registered_model_permissions")).contains(renamed + "=EDIT").doesNotContain(name + "=EDIT");
        alice.ok(alice.delete(MLFLOW + "registered-models/delete", obj("name", renamed)));
        assertThat(grants(bob, "registered_model_permissions")).noneMatch(g -> g.startsWith(renamed + "="));
        assertThat(grants(alice, "registered_model_permissions")).noneMatch(g -> g.startsWith(renamed + "="));
    }

    @Test
    void registeringAVersionNeedsToReadTheRunItComesFrom() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "secret-" + System.nanoTime())))
                .path("experiment_id").asText();
        String run = alice.ok(alice.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText();
        alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "carol", "permission", "NO_PERMISSIONS")));
        String name = "copycat-" + System.nanoTime();
        carol.createModel(name);
        assertDenied(carol.post(MLFLOW + "model-versions/create", obj("name", name, "source", "runs:/" + run + "/model",
                "run_id", run)), "may not read experiment '" + exp + "'");
        assertDenied(carol.post(MLFLOW + "model-versions/create", obj("name", name,
                "source", "mlflow-artifacts:/" + exp + "/" + run + "/artifacts/model")), "may not read experiment");
        assertThat(carol.ok(carol.get(MLFLOW + "registered-models/get", Map.of("name", name)))
                .path("registered_model").has("latest_versions")).as("no version was created").isFalse();
    }

    @Test
    void aModelsLineageAndMetadataShowItsRunOnlyToThoseWhoMayReadTheRun() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "hidden-" + System.nanoTime())))
                .path("experiment_id").asText();
        String run = alice.ok(alice.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText();
        alice.ok(alice.post(MLFLOW + "runs/log-parameter", obj("run_id", run, "key", "secret_param", "value", "42")));
        String name = "lineage-" + System.nanoTime();
        alice.createModel(name);
        alice.version(name, run);
        Map<String, String> uri = Map.of("uri", "models:/" + name + "/1");
        assertThat(bob.ok(bob.get(MLV + "models/lineage", uri)).toString()).contains(run, "secret_param");
        assertThat(bob.ok(bob.get(MLV + "models/metadata", uri)).toString()).contains(run);

        // carol may read the model, not the experiment its run belongs to
        alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "carol", "permission", "NO_PERMISSIONS")));
        for (String route : List.of("models/lineage", "models/metadata")) {
            Reply r = carol.get(MLV + route, uri);
            assertDenied(r, "may not read experiment '" + exp + "'");
            assertThat(r.body().toString()).doesNotContain("secret_param").doesNotContain(run);
        }
        assertThat(carol.ok(carol.get(MLFLOW + "registered-models/get", Map.of("name", name))).toString()).contains(name);
        assertThat(admin.ok(admin.get(MLV + "models/lineage", uri)).toString()).contains("secret_param");
    }

    @Test
    void permissionRoutesAnswerAsMlflowsAndAreAudited() {
        String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "perm-" + System.nanoTime())))
                .path("experiment_id").asText();
        JsonNode created = alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "bob", "permission", "read")));
        assertThat(created.path("experiment_permission").toString())
                .isEqualTo("{\"experiment_id\":\"" + exp + "\",\"user_id\":\"bob\",\"permission\":\"READ\"}");
        Reply again = alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "bob", "permission", "EDIT"));
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.errorCode()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        Reply nobody = alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "mallory", "permission", "EDIT"));
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.body().path("message").asText()).isEqualTo("User with username=mallory not found");
        Reply invalid = alice.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", exp, "username", "carol", "permission", "OWNER"));
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.body().path("message").asText()).contains("'READ', 'EDIT', 'MANAGE', 'NO_PERMISSIONS'");
        assertThat(alice.get(MLFLOW + "experiments/permissions/get", Map.of("experiment_id", exp, "username", "carol"))
                .status()).isEqualTo(404);
        alice.ok(alice.delete(MLFLOW + "experiments/permissions/delete", obj("experiment_id", exp, "username", "bob")));
        assertThat(alice.get(MLFLOW + "experiments/permissions/get", Map.of("experiment_id", exp, "username", "bob"))
                .status()).isEqualTo(404);

        // users/get: yourself, or anyone for an administrator
        JsonNode self = bob.ok(bob.get(MLFLOW + "users/get", Map.of("username", "bob"))).path("user");
        assertThat(self.path("is_admin").asBoolean()).isFalse();
        assertDenied(bob.get(MLFLOW + "users/get", Map.of("username", "alice")), "only administrators");
        JsonNode aliceSeen = admin.ok(admin.get(MLFLOW + "users/get", Map.of("username", "alice"))).path("user");
        assertThat(aliceSeen.path("experiment_permissions").findValuesAsText("experiment_id")).contains(exp);
        assertThat(admin.ok(admin.get(MLFLOW + "users/get", Map.of("username", "root"))).at("/user/is_admin").asBoolean()).isTrue();

        // grants are events of the hash-chained audit log, by whoever made them
        JsonNode events = admin.ok(admin.get(MLV + "audit/events", Map.of("max_results", "1000"))).path("events");
        assertThat(events.toString()).contains("permission.create", "permission.delete");
        assertThat(admin.ok(admin.get(MLV + "audit/verify", Map.of())).path("valid").asBoolean()).isTrue();
    }

    @Test
    void administratorsManageUsersThroughMlflowsRoutesAndTheServerFollowsAtOnce() {
        JsonNode created = admin.ok(admin.post(MLFLOW + "users/create", obj("username", "dave", "password", "dave-1")));
        assertThat(created.path("user").path("username").asText()).isEqualTo("dave");
        assertThat(created.path("user").path("is_admin").asBoolean()).isFalse();
        RegistryHttp dave = new RegistryHttp(server, "dave", "dave-1");
        assertThat(dave.get(MLFLOW + "experiments/search", Map.of()).status()).as("let in at once").isEqualTo(200);
        Reply twice = admin.post(MLFLOW + "users/create", obj("username", "dave", "password", "x"));
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.errorCode()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        assertDenied(bob.post(MLFLOW + "users/create", obj("username", "eve", "password", "x")), "only administrators");

        // their own password: the user or an administrator
        assertDenied(bob.patch(MLFLOW + "users/update-password", obj("username", "dave", "password", "bob-knows")),
                "only administrators");
        dave.ok(dave.patch(MLFLOW + "users/update-password", obj("username", "dave", "password", "dave-2")));
        assertThat(dave.get(MLFLOW + "experiments/search", Map.of()).status()).isEqualTo(401);
        RegistryHttp dave2 = new RegistryHttp(server, "dave", "dave-2");
        assertThat(dave2.get(MLFLOW + "experiments/search", Map.of()).status()).isEqualTo(200);

        assertDenied(dave2.get(MLFLOW + "webhooks", Map.of()), "only administrators");
        Reply badFlag = admin.patch(MLFLOW + "users/update-admin", obj("username", "dave", "is_admin", "yes"));
        assertThat(badFlag.status()).isEqualTo(400);
        admin.ok(admin.patch(MLFLOW + "users/update-admin", obj("username", "dave", "is_admin", "TRUE")));
        assertThat(dave2.get(MLFLOW + "webhooks", Map.of()).status()).isEqualTo(200);

        // a deleted user is refused at once, and takes their grants along
        admin.ok(admin.post(MLFLOW + "experiments/permissions/create",
                obj("experiment_id", "0", "username", "dave", "permission", "EDIT")));
        admin.ok(admin.delete(MLFLOW + "users/delete", obj("username", "dave")));
        assertThat(dave2.get(MLFLOW + "experiments/search", Map.of()).status()).isEqualTo(401);
        assertThat(admin.get(MLFLOW + "users/get", Map.of("username", "dave")).status()).isEqualTo(404);
        assertThat(server.context().metadata().permissions().grantsOf("dave")).isEmpty();
        assertThat(admin.delete(MLFLOW + "users/delete", obj("username", "dave")).status()).isEqualTo(404);
    }

    @Test
    void aServerWhoseDefaultIsNoPermissionsShowsEachUserOnlyTheirOwn(@TempDir Path other) throws Exception {
        Path users = other.resolve("users");
        Files.copy(home.resolve("users"), users);
        try (MlvServer closed = MlvServer.start(ServerConfig.forHome(other).withPort(0).withAuthFile(users)
                .withDefaultPermission(Permission.NO_PERMISSIONS))) {
            RegistryHttp a = new RegistryHttp(closed, "alice", "alice-secret");
            RegistryHttp b = new RegistryHttp(closed, "bob", "bob-secret");
            String exp = a.ok(a.post(MLFLOW + "experiments/create", obj("name", "mine"))).path("experiment_id").asText();
            assertThat(a.ok(a.get(MLFLOW + "experiments/search", Map.of())).path("experiments")
                    .findValuesAsText("experiment_id")).containsExactly(exp);
            assertThat(b.ok(b.get(MLFLOW + "experiments/search", Map.of())).path("experiments")).isEmpty();
            assertDenied(b.get(MLFLOW + "experiments/get", Map.of("experiment_id", exp)), "NO_PERMISSIONS");
        }
    }

    private static Set<String> grants(RegistryHttp who, String field) {
        JsonNode user = admin.ok(admin.get(MLFLOW + "users/get", Map.of("username", userOf(who)))).path("user");
        Set<String> out = new TreeSet<>();
        for (JsonNode g : user.path(field)) out.add(g.path("name").asText() + "=" + g.path("permission").asText());
        return out;
    }

    private static String userOf(RegistryHttp who) {
        return who == alice ? "alice" : who == bob ? "bob" : who == carol ? "carol" : "root";
    }

    private static void assertDenied(Reply r, String messagePart) {
        assertThat(r.status()).as(r.body().toString()).isEqualTo(403);
        assertThat(r.errorCode()).isEqualTo("PERMISSION_DENIED");
        assertThat(r.body().path("message").asText()).contains(messagePart);
    }
}
