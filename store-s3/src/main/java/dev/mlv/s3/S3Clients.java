package dev.mlv.s3;

import dev.mlv.errors.MlvException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Builds the AWS SDK v2 {@link S3Client} that every S3 piece of mlv uses (artifact store, data remote).
 *
 * <p>{@link #fromEnvironment()} is what a deployment gets:
 * <ul>
 *   <li>credentials from the SDK's standard chain (system properties {@code aws.accessKeyId}/{@code aws.secretAccessKey},
 *       environment {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}, {@code ~/.aws/credentials} profiles,
 *       web identity, container and instance roles);</li>
 *   <li>the region from the SDK's chain ({@code aws.region}, {@code AWS_REGION}, profile, instance metadata; without
 *       instance metadata when the endpoint is overridden), else {@code us-east-1};</li>
 *   <li>an endpoint override for S3-compatible stores (MinIO, Ceph, s3proxy, …) from, first found: the system
 *       property {@value #ENDPOINT_PROPERTY} (for embedding and tests), {@code MLV_S3_ENDPOINT_URL}, then MLflow's
 *       {@code MLFLOW_S3_ENDPOINT_URL}. With an override, requests use path-style addressing
 *       ({@code http://host/bucket/key}) and checksums only where S3 requires them, which S3-compatible stores
 *       accept.</li>
 * </ul>
 * {@link #create(URI, String, String)} builds a client for one explicit endpoint and key pair (tests, benchmarks).
 *
 * <p>Clients are thread-safe and hold a connection pool: make one per store and close it with the store.
 */
public final class S3Clients {
    /** System property that overrides the endpoint before the environment variables do. */
    public static final String ENDPOINT_PROPERTY = "mlv.s3.endpointUrl";
    public static final String ENDPOINT_ENV = "MLV_S3_ENDPOINT_URL";
    public static final String MLFLOW_ENDPOINT_ENV = "MLFLOW_S3_ENDPOINT_URL";
    public static final Region DEFAULT_REGION = Region.US_EAST_1;
    /** HTTP connections of a client to S3, so requests in flight at once. */
    static final int MAX_CONNECTIONS = 64;

    private S3Clients() {
    }

    /** A client configured from system properties, the environment and the AWS configuration files (see above). */
    public static S3Client fromEnvironment() {
        Optional<URI> endpoint = endpointOverride(System::getenv);
        return build(endpoint, DefaultCredentialsProvider.builder().build(), defaultRegion(endpoint.isPresent()));
    }

    /**
     * A client for one remote's settings: {@code endpointUrl} (null: the override of {@link #fromEnvironment()}, if
     * any), {@code region} (null: the SDK's chain, as there) and {@code profile}, a profile of the AWS configuration
     * files whose credentials to use (null: the standard chain).
     */
    public static S3Client withSettings(String endpointUrl, String region, String profile) {
        Optional<URI> endpoint = endpointUrl != null ? Optional.of(parseEndpoint(endpointUrl.trim())) : endpointOverride(System::getenv);
        AwsCredentialsProvider credentials = profile != null ? ProfileCredentialsProvider.create(profile.trim())
                : DefaultCredentialsProvider.builder().build();
        return build(endpoint, credentials, region != null ? Region.of(region.trim()) : defaultRegion(endpoint.isPresent()));
    }

    /** A client for an explicit endpoint (path-style) and static credentials, region {@code us-east-1}. */
    public static S3Client create(URI endpoint, String accessKeyId, String secretAccessKey) {
        return build(Optional.of(endpoint),
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)),
                DEFAULT_REGION);
    }

    /**
     * The endpoint override, if any: system property {@value #ENDPOINT_PROPERTY}, else {@code MLV_S3_ENDPOINT_URL},
     * else {@code MLFLOW_S3_ENDPOINT_URL} looked up with {@code env}. Throws {@code INVALID_PARAMETER_VALUE} for a
     * value that is not an absolute http(s) URL.
     */
    public static Optional<URI> endpointOverride(UnaryOperator<String> env) {
        String[] candidates = {System.getProperty(ENDPOINT_PROPERTY), env.apply(ENDPOINT_ENV), env.apply(MLFLOW_ENDPOINT_ENV)};
        for (String value : candidates) {
            if (value != null && !value.isBlank()) return Optional.of(parseEndpoint(value.trim()));
        }
        return Optional.empty();
    }

    static URI parseEndpoint(String value) {
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw MlvException.invalid("Invalid S3 endpoint URL '" + value + "': " + e.getMessage());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || uri.getHost() == null) {
            throw MlvException.invalid("Invalid S3 endpoint URL '" + value + "': expected http(s)://host[:port]");
        }
        return uri;
    }

    /**
     * The region of the SDK's chain, else {@code us-east-1}. With an endpoint override (an S3-compatible store, not
     * AWS) only the settings and the profile files are consulted, never the EC2 instance metadata service.
     */
    static Region defaultRegion(boolean endpointOverridden) {
        AwsRegionProvider chain = endpointOverridden
                ? new AwsRegionProviderChain(new SystemSettingsRegionProvider(), new AwsProfileRegionProvider())
                : new DefaultAwsRegionProviderChain();
        try {
            return chain.getRegion();
        } catch (RuntimeException none) {
            return DEFAULT_REGION;
        }
    }

    /**
     * A presigner with the settings of {@code client}: its credentials, region and endpoint override, with path-style
     * URLs when the endpoint is overridden (as {@link #fromEnvironment()} and {@link #create} address it). The caller
     * closes it.
     */
    public static S3Presigner presignerFor(S3Client client) {
        var config = client.serviceClientConfiguration();
        var builder = S3Presigner.builder().region(config.region()).credentialsProvider(config.credentialsProvider());
        config.endpointOverride().ifPresent(uri -> builder.endpointOverride(uri)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        return builder.build();
    }

    private static S3Client build(Optional<URI> endpoint, AwsCredentialsProvider credentials, Region region) {
        var builder = S3Client.builder()
                .region(region)
                .credentialsProvider(credentials)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)));
        endpoint.ifPresent(uri -> builder.endpointOverride(uri)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED));
        return builder.build();
    }
}
