package dev.mlv.s3.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteProvider;

import java.util.Set;

/** {@code s3://bucket/prefix} data remotes. */
public final class S3RemoteProvider implements RemoteProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public Remote open(String url) {
        return S3Remote.fromUrl(url);
    }
}
