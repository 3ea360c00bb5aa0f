package dev.mlv.client;

import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Base of the client's tests against a real in-process server: one per test class (SQLite and local artifacts in a
 * temp home), with a client of it. Test classes run one after another, so the static fields belong to the running one.
 */
abstract class InProcessServerTest {
    @TempDir
    static Path home;
    static MlvServer server;
    static MlvClient client;

    @BeforeAll
    static void startServer() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, null));
        client = MlvClient.connect(server.url());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
        server = null;
        client = null;
    }
}
