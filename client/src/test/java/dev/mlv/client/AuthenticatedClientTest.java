package dev.mlv.client;

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

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Java client against a server that requires authentication. */
class AuthenticatedClientTest {
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

    @Test
    void aClientWithCredentialsTracksRunsAndOneWithoutIsToldWhatToSet() {
        MlvClient client = MlvClient.connect(server.url(), "trainer", "s3cret").captureEnvironment(false);
        String runId;
        try (ActiveRun run = client.startRun("secured")) {
            run.logParam("lr", "0.1").logMetric("loss", 0.25, 1);
            runId = run.runId();
        }
        assertThat(client.getRun(runId).latestMetrics()).hasSize(1);

        assertThatThrownBy(() -> MlvClient.connect(server.url()).startRun("secured"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessageContaining("MLV_TRACKING_USERNAME");
    }
}
