package dev.mlv.cli.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteContractTest;
import dev.mlv.data.Remotes;
import dev.mlv.s3.S3ProxyExtension;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mlv-server remote against a server whose artifact store is S3 (s3proxy in-process): the Remote contract, where
 * the server asks S3 about, stores and reads a batch's objects several at once.
 */
class DataServerOnS3RemoteTest extends RemoteContractTest {
    static final String BUCKET = "mlv-server-data";
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, "s3://" + BUCKET + "/store"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Override
    protected boolean listsAndDeletes() {
        return false; // as on any mlv server: its data store is shared by every repository that pushes to it
    }

    @Override
    protected Remote newRemote() {
        return Remotes.open(server.url());
    }

    @Test
    void theObjectsLandInTheBucket() throws Exception {
        DataTestKit.fullCycle(java.nio.file.Files.createDirectories(tmp.resolve("cycle")), server.url());
        try (var client = S3.fixture().client()) {
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("store/data/sha256/")).keyCount()).isPositive();
        }
    }
}
