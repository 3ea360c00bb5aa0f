package dev.mlv.s3;

import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A real S3 endpoint for tests: s3proxy started in-process on a free loopback port, objects kept as files under a
 * temporary folder (so large objects do not fill the heap), with signature v4 authentication. One per test class.
 */
public final class S3ProxyFixture implements AutoCloseable {
    public static final String ACCESS_KEY = "mlv-access";
    public static final String SECRET_KEY = "mlv-secret-key";

    private final S3Proxy proxy;
    private final Path dir;
    private final URI endpoint;

    private S3ProxyFixture(S3Proxy proxy, Path dir, URI endpoint) {
        this.proxy = proxy;
        this.dir = dir;
        this.endpoint = endpoint;
    }

    /** Starts s3proxy on a free port, storing its objects under a new folder inside {@code parent}. */
    public static S3ProxyFixture start(Path parent) {
        return start(parent, "filesystem");
    }

    /** Starts s3proxy on a free port keeping objects in memory: faster, for tests of small objects only. */
    public static S3ProxyFixture startInMemory(Path parent) {
        return start(parent, "transient");
    }

    private static S3ProxyFixture start(Path parent, String provider) {
        try {
            Files.createDirectories(parent);
            Path dir = Files.createTempDirectory(parent, "s3proxy");
            Properties p = new Properties();
            p.setProperty("jclouds.filesystem.basedir", dir.toString());
            S3Proxy proxy = S3Proxy.builder()
                    .blobStore(BlobStores.create(provider, p))
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                    .build();
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
                Thread.sleep(10);
            }
            return new S3ProxyFixture(proxy, dir, URI.create("http://127.0.0.1:" + proxy.getPort()));
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start s3proxy", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A new client for this endpoint; the caller closes it. */
    public S3Client client() {
        return S3Clients.create(endpoint, ACCESS_KEY, SECRET_KEY);
    }

    /** Creates a bucket (idempotent). */
    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
                s3.createBucket(b -> b.bucket(bucket));
            }
        }
    }

    /** Starts s3proxy under {@code parent} with {@code bucket} created, and makes it this JVM's default endpoint. */
    public static S3ProxyFixture startAsDefault(Path parent, String bucket) {
        S3ProxyFixture s3 = start(parent);
        s3.createBucket(bucket);
        return s3.useAsDefault();
    }

    /**
     * Points this JVM's S3 defaults at this endpoint, as a user's environment would: the endpoint override, the keys
     * and the region, read by {@code S3Clients} and the AWS SDK's default chains. {@link #clearDefaults} undoes it.
     */
    public S3ProxyFixture useAsDefault() {
        System.setProperty(S3Clients.ENDPOINT_PROPERTY, endpoint.toString());
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.region", "us-east-1");
        return this;
    }

    public static void clearDefaults() {
        for (String p : new String[]{S3Clients.ENDPOINT_PROPERTY, "aws.accessKeyId", "aws.secretAccessKey", "aws.region"}) {
            System.clearProperty(p);
        }
    }

    /** Stops the endpoint (it stops answering) but keeps its objects; see {@link #close}. */
    public void stop() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop s3proxy", e);
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
