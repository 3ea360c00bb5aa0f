package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.permissions.Permission;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.users.User;
import dev.mlv.users.UsersFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowClientException;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server started with a users file: every request but the probes must authenticate, and the authenticated user,
 * not the one a request claims, is the user the audit log records and the four-eyes rule compares.
 */
class AuthenticatedServerTest {
    private static final int FAST = 1_000; // PBKDF2 iterations: the test checks the scheme, not the cost
    @TempDir
    static Path home;
    static Path usersFile;
    static MlvServer server;
    static RegistryHttp alice;
    static RegistryHttp bob;

    @BeforeAll
    static void start() {
        usersFile = home.resolve("users");
        new UsersFile(usersFile).create(User.withPassword("alice", "alice-secret", FAST, false), "test");
        new UsersFile(usersFile).create(User.withPassword("bob", "bob-secret", FAST, false), "test");
        // a team whose members may all log and promote: the four-eyes rule, not a permission, stops self-approval
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withAuthFile(usersFile)
                .withDefaultPermission(Permission.EDIT));
        alice = new RegistryHttp(server, "alice", "alice-secret");
        bob = new RegistryHttp(server, "bob", "bob-secret");
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void requestsWithoutValidCredentialsAreRefusedBeforeAnythingHappens() throws Exception {
        for (RegistryHttp stranger : List.of(new RegistryHttp(server), new RegistryHttp(server, "alice", "wrong"),
                new RegistryHttp(server, "mallory", "alice-secret"))) {
            RegistryHttp.Reply r = stranger.post(MLFLOW + "experiments/create", obj("name", "sneaky"), "alice");
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.errorCode()).isEqualTo("UNAUTHENTICATED");
            assertThat(stranger.get(MLV + "audit/events", Map.of()).status()).isEqualTo(401);
        }
        assertThat(alice.get(MLFLOW + "experiments/get-by-name", Map.of("experiment_name", "sneaky")).status()).isEqualTo(404);
        var raw = get("/api/2.0/mlflow/experiments/search?max_results=1");
        assertThat(raw.statusCode()).isEqualTo(401);
        assertThat(raw.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"mlv\"");
        for (String probe : List.of("/health", "/version")) assertThat(get(probe).statusCode()).as(probe).isEqualTo(200);
    }

    private static java.net.http.HttpResponse<String> get(String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.url() + path)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theAuthenticatedUserIsTheOneRecordedAndTheFourEyesRuleComparesIt() {
        String name = "credit-" + System.nanoTime();
        alice.createModel(name);
        alice.ok(alice.post(MLFLOW + "registered-models/set-tag", obj("name", name, "key", "mlv.require_approval", "value", "Production")));
        String v = alice.version(name, alice.run(Map.of("accuracy", 0.97)));
        // alice claims to be bob: the claim is ignored
        JsonNode requested = alice.ok(alice.post(MLV + "model-versions/promote", obj("name", name, "version", v,
                "stage", "Production", "reason", "ship it"), "bob"));
        assertThat(requested.path("pending_approval").asBoolean()).isTrue();
        JsonNode pending = alice.ok(alice.get(MLV + "model-versions/pending", Map.of("name", name))).path("pending");
        assertThat(pending.get(0).path("requested_by").asText()).isEqualTo("alice");
        RegistryHttp.Reply self = alice.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production"), "bob");
        assertThat(self.status()).isEqualTo(403);
        assertThat(self.errorCode()).isEqualTo("PERMISSION_DENIED");

        bob.ok(bob.post(MLV + "model-versions/approve", obj("name", name, "version", v, "stage", "Production", "reason", "reviewed")));
        JsonNode events = bob.ok(bob.get(MLV + "audit/events", Map.of("model", name))).path("events");
        assertThat(events.findValuesAsText("user")).containsOnly("alice", "bob").contains("alice", "bob");
        assertThat(events.get(events.size() - 1).path("user").asText()).isEqualTo("bob");
        assertThat(alice.ok(alice.get(MLV + "audit/verify", Map.of())).path("valid").asBoolean()).isTrue();
    }

    @Test
    void usersAddedToOrRemovedFromTheFileAreLetInOrRefusedWithoutARestart() throws Exception {
        RegistryHttp carol = new RegistryHttp(server, "carol", "carol-secret");
        assertThat(carol.get(MLFLOW + "experiments/search", Map.of("max_results", "1")).status()).isEqualTo(401);
        new UsersFile(usersFile).create(User.withPassword("carol", "carol-secret", FAST, false), "test");
        long deadline = System.nanoTime() + 5_000_000_000L;
        int status;
        do {
            Thread.sleep(100);
            status = carol.get(MLFLOW + "experiments/search", Map.of("max_results", "1")).status();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).isEqualTo(200);
        assertThat(Files.readString(usersFile)).doesNotContain("carol-secret").contains("carol:pbkdf2_sha256$1000$");

        new UsersFile(usersFile).delete("carol", "test");
        deadline = System.nanoTime() + 5_000_000_000L;
        do {
            Thread.sleep(100);
            status = carol.get(MLFLOW + "experiments/search", Map.of("max_results", "1")).status();
        } while (status != 401 && System.nanoTime() < deadline);
        assertThat(status).as("a removed user is refused, though the server had remembered the credential").isEqualTo(401);
        assertThat(Files.getPosixFilePermissions(usersFile)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void theOfficialMlflowClientAuthenticatesWithBasicCredentials() {
        MlflowClient withCredentials = new MlflowClient(new BasicMlflowHostCreds(server.url(), "alice", "alice-secret"));
        String id = withCredentials.createExperiment("from-mlflow-" + System.nanoTime());
        assertThat(withCredentials.getExperiment(id).getExperimentId()).isEqualTo(id);
        MlflowClient without = new MlflowClient(server.url());
        assertThatThrownBy(() -> without.getExperiment(id)).isInstanceOf(MlflowClientException.class).hasMessageContaining("401");
    }

    @Test
    void aServerWithoutUsersDoesNotStart() throws Exception {
        Path empty = Files.writeString(home.resolve("empty-users"), "# nobody yet\n");
        assertThatThrownBy(() -> MlvServer.start(ServerConfig.forHome(home.resolve("other")).withPort(0).withAuthFile(empty)))
                .hasMessageContaining("no users").hasMessageContaining("mlv users add NAME --admin --auth-file " + empty);
        Path broken = Files.writeString(home.resolve("broken-users"), "alice:plaintext\n");
        assertThatThrownBy(() -> MlvServer.start(ServerConfig.forHome(home.resolve("other")).withPort(0).withAuthFile(broken)))
                .hasMessageContaining("Malformed line 1");
    }
}
