package dev.mlv.client.http;

import java.util.Map;

/** Test access to {@link RestClient}'s choice of credentials, with a given environment. */
public final class RestClientAccess {
    private RestClientAccess() {
    }

    public static RestClient forTrackingServer(String url, Map<String, String> env) {
        return RestClient.forTrackingServer(url, env::get);
    }

    public static RestClient forConfiguredServer(String url, Map<String, String> env) {
        return RestClient.forConfiguredServer(url, env::get);
    }
}
