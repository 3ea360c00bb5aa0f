package dev.mlv.client.data;

import dev.mlv.client.http.RestClientAccess;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.users.User;
import dev.mlv.users.UsersFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A data remote on a server that requires authentication: whose credentials it gets, and what it says without. */
class HttpRemoteCredentialsTest {
    static final String DIGEST = "ab".repeat(32);

    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        new UsersFile(home.resolve("users")).create(User.withPassword("trainer", "s3cret", 1_000, false), "test");
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withAuthFile(home.resolve("users")));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpRemote remote(Map<String, String> env) {
        return new HttpRemote(RestClientAccess.forConfiguredServer(server.url(), env));
    }

    @Test
    void theTrackingServerAsRemoteGetsTheTrackingCredentials() {
        HttpRemote remote = remote(Map.of("MLV_TRACKING_URI", server.url(), "MLV_TRACKING_USERNAME", "trainer",
                "MLV_TRACKING_PASSWORD", "s3cret", "NETRC", home.resolve("none").toString()));
        assertThat(remote.missing(List.of(DIGEST))).containsExactly(DIGEST);
    }

    @Test
    void aUserWhoIsNoAdministratorPushesAndFetchesInBatches() throws IOException {
        HttpRemote remote = remote(Map.of("MLV_TRACKING_URI", server.url(), "MLV_TRACKING_USERNAME", "trainer",
                "MLV_TRACKING_PASSWORD", "s3cret", "NETRC", home.resolve("none").toString()));
        List<dev.mlv.data.Remote.Upload> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] b = ("trainer's object " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String name = dev.mlv.data.Digests.sha256(b);
            batch.add(new dev.mlv.data.Remote.Upload(name, Files.write(home.resolve(name), b), b.length));
        }
        remote.uploadAll(batch);
        List<String> names = batch.stream().map(dev.mlv.data.Remote.Upload::name).toList();
        List<String> fetched = new java.util.ArrayList<>();
        remote.openAll(names, (name, in) -> fetched.add(name));
        assertThat(fetched).containsExactlyInAnyOrderElementsOf(names);
        assertThat(remote.batchSize()).as("the server's batch endpoints answered").isGreaterThan(1);
    }

    @Test
    void aRemoteOnAnotherOriginGetsNoTrackingCredentialsAndSaysWhereTheyComeFrom() {
        HttpRemote remote = remote(Map.of("MLV_TRACKING_URI", "http://tracking.example.com:5000", "MLV_TRACKING_USERNAME", "trainer",
                "MLV_TRACKING_PASSWORD", "s3cret", "NETRC", home.resolve("none").toString()));
        assertThatThrownBy(() -> remote.missing(List.of(DIGEST)))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessageContaining("The data remote " + server.url() + " requires credentials")
                .hasMessageContaining("machine 127.0.0.1 login USER password PASSWORD");
        assertThatThrownBy(() -> remote.open(DIGEST)).hasMessageContaining("~/.netrc");
    }

    @Test
    void aRemoteOnAnotherOriginGetsItsHostsNetrcEntry() throws IOException {
        Path netrc = Files.writeString(home.resolve("netrc"), "machine 127.0.0.1 login trainer password s3cret\n");
        HttpRemote remote = remote(Map.of("MLV_TRACKING_URI", "http://tracking.example.com:5000", "NETRC", netrc.toString()));
        assertThat(remote.missing(List.of(DIGEST))).containsExactly(DIGEST);
    }
}
