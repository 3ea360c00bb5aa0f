package dev.mlv.cli.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteContractTest;
import dev.mlv.data.Remotes;
import dev.mlv.s3.S3Location;
import dev.mlv.s3.S3ProxyExtension;
import dev.mlv.s3.data.S3Remote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The S3 remote against a real S3 endpoint (s3proxy in-process): the Remote contract and the full CLI cycle. */
class DataS3RemoteTest extends RemoteContractTest {
    static final String BUCKET = "mlv-data";
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);

    @Override
    protected Remote newRemote() {
        return new S3Remote(S3.fixture().client(), S3Location.parse("s3://" + BUCKET + "/contract-" + UUID.randomUUID()), true);
    }

    @Test
    void theFactoryOpensS3Urls() {
        try (Remote r = Remotes.open("s3://" + BUCKET + "/x")) {
            assertThat(r).isInstanceOf(S3Remote.class);
            assertThat(r.url()).isEqualTo("s3://" + BUCKET + "/x");
        }
    }

    @Test
    void fullCycleThroughS3() throws Exception {
        DataTestKit.fullCycle(Files.createDirectories(tmp.resolve("cycle")), "s3://" + BUCKET + "/datasets");
    }
}
