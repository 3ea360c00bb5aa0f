package dev.mlv.client.http;

import java.util.Map;
import java.util.Optional;

/** Test access to {@link RestClient}'s reading of credentials from the environment. */
public final class RestClientAccess {
    private RestClientAccess() {
    }

    public static Optional<String> credentials(Map<String, String> env) {
        return RestClient.credentialsFromEnvironment(env::get);
    }
}
