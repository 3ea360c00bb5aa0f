package dev.mlv.client.data;

import dev.mlv.data.Remote;
import dev.mlv.data.RemoteProvider;

import java.util.Set;

/** {@code http://} and {@code https://} data remotes: an mlv server. */
public final class HttpRemoteProvider implements RemoteProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public Remote open(String url) {
        return new HttpRemote(url);
    }
}
