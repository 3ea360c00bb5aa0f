package dev.mlv.s3;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One s3proxy for a test class, with a bucket, as this JVM's default S3 endpoint while the class runs
 * ({@link S3ProxyFixture#useAsDefault}). Register it as a static field:
 * {@code @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension("bucket");}.
 */
public final class S3ProxyExtension implements BeforeAllCallback, AfterAllCallback {
    private final String bucket;
    private Path dir;
    private S3ProxyFixture s3;

    public S3ProxyExtension(String bucket) {
        this.bucket = bucket;
    }

    /** The running endpoint. */
    public S3ProxyFixture fixture() {
        return s3;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("mlv-s3proxy-");
        s3 = S3ProxyFixture.startAsDefault(dir, bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        S3ProxyFixture.clearDefaults();
        if (s3 != null) s3.close();
        if (dir != null) Files.deleteIfExists(dir);
    }
}
