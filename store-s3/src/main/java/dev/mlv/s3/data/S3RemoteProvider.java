package dev.mlv.s3.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteProvider;
import dev.mlv.s3.S3Clients;
import dev.mlv.s3.S3Location;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.Map;
import java.util.Set;

/**
 * {@code s3://bucket/prefix} data remotes. A remote's entry in {@code .mlv/config} may set, as DVC's
 * {@code remote modify} does: {@code endpoint_url} (an S3-compatible store such as MinIO, addressed path-style),
 * {@code region}, and {@code profile} (whose credentials, from the AWS configuration files, to use). What is not set
 * comes from the environment, as for the artifact store ({@link S3Clients#fromEnvironment()}).
 */
public final class S3RemoteProvider implements RemoteProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public Set<String> options() {
        return Set.of("endpoint_url", "region", "profile");
    }

    @Override
    public Remote open(String url) {
        return S3Remote.fromUrl(url);
    }

    @Override
    public Remote open(String url, Map<String, String> options) {
        if (options.isEmpty()) return open(url);
        return new S3Remote(client(options), S3Location.parse(url), true);
    }

    /** A client with a remote's options: what they do not set comes from the environment. */
    static S3Client client(Map<String, String> options) {
        if (options.isEmpty()) return S3Clients.fromEnvironment();
        return S3Clients.withSettings(options.get("endpoint_url"), options.get("region"), options.get("profile"));
    }
}
