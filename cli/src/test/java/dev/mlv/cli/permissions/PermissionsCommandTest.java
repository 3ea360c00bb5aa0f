package dev.mlv.cli.permissions;

import dev.mlv.cli.Main;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.users.User;
import dev.mlv.users.UsersFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv permissions grant|revoke|list} against a server with users, as each user would run them: in a process of
 * its own, with the credentials in {@code MLV_TRACKING_USERNAME} / {@code MLV_TRACKING_PASSWORD}.
 */
class PermissionsCommandTest {
    @TempDir
    static Path home;
    static MlvServer server;

    record Result(int code, String out) {
    }

    @BeforeAll
    static void start() {
        Path users = home.resolve("users");
        new UsersFile(users).create(User.withPassword("alice", "alice-pw", 1_000, false), "test");
        new UsersFile(users).create(User.withPassword("bob", "bob-pw", 1_000, false), "test");
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withAuthFile(users));
        new RestClient(server.url()).withBasicAuth("alice", "alice-pw")
                .post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "fraud"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void aManagerGrantsChangesAndRevokesAndOthersAreRefusedInOneLine() throws Exception {
        Result granted = mlv("alice", "permissions", "grant", "bob", "edit", "--model", "fraud");
        assertThat(granted.code()).as(granted.out()).isZero();
        assertThat(granted.out()).contains("Granted EDIT on registered model fraud to bob");
        assertThat(mlv("alice", "permissions", "grant", "bob", "MANAGE", "--model", "fraud").code()).isZero();
        Result listed = mlv("bob", "permissions", "list", "bob");
        assertThat(listed.out()).containsPattern("registered model +fraud +MANAGE");

        assertThat(mlv("alice", "permissions", "revoke", "bob", "--model", "fraud").code()).isZero();
        assertThat(mlv("bob", "permissions", "list", "bob").out()).contains("No grants: bob has the server's default");
        Result refused = mlv("bob", "permissions", "grant", "bob", "MANAGE", "--model", "fraud");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.out().strip().lines()).hasSize(2).first().asString()
                .startsWith("mlv: error: Permission denied: user 'bob' may not manage registered model 'fraud'");
        assertThat(refused.out()).contains("hint: 'mlv permissions list USER' shows a user's grants");
        Result others = mlv("bob", "permissions", "list", "alice");
        assertThat(others.code()).isEqualTo(1);
        assertThat(others.out()).contains("only administrators may call GET /api/2.0/mlflow/users/get",
                "hint: an administrator can ('mlv users set-admin NAME true'");
        Result both = mlv("alice", "permissions", "grant", "bob", "READ", "--model", "fraud", "--experiment", "0");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.out()).contains("mutually exclusive");
    }

    private static Result mlv(String user, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-XX:TieredStopAtLevel=1", Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MLV_TRACKING_URI", server.url());
        pb.environment().put("MLV_TRACKING_USERNAME", user);
        pb.environment().put("MLV_TRACKING_PASSWORD", user + "-pw");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
