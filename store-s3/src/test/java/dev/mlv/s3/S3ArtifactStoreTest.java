package dev.mlv.s3;

import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStoreContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Path;
import java.util.UUID;

/** The artifact-store contract on S3: one s3proxy for the class, a fresh prefix per test. */
class S3ArtifactStoreTest extends ArtifactStoreContractTest {
    @TempDir
    static Path tmp;
    private static S3ProxyFixture proxy;
    private static S3Client s3;

    @BeforeAll
    static void startProxy() {
        proxy = S3ProxyFixture.startInMemory(tmp);
        proxy.createBucket("contract");
        s3 = proxy.client();
    }

    @AfterAll
    static void stopProxy() {
        s3.close();
        proxy.close();
    }

    @Override
    protected boolean takesClientMultipartUploads() {
        return true;
    }

    @Override
    protected boolean presignsUrls() {
        return true;
    }

    @Override
    protected ArtifactStore openStore() {
        return new S3ArtifactStore(s3, S3Location.parse("s3://contract/" + UUID.randomUUID()), S3ArtifactStore.DEFAULT_PART_SIZE, false);
    }
}
