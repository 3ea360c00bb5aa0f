package dev.mlv.server.artifacts;

import dev.mlv.artifacts.ArtifactPath;

import java.util.Optional;

/**
 * MLflow's {@code mlflow-artifacts:} URIs, which address the server's own artifact store: {@code
 * mlflow-artifacts:/1/<run_id>/artifacts} is the store path {@code 1/<run_id>/artifacts}. As in MLflow, an authority
 * ({@code mlflow-artifacts://host:port/path}) is ignored: the path always names this server's store.
 */
public final class ProxiedArtifactUri {
    public static final String SCHEME = "mlflow-artifacts";

    private ProxiedArtifactUri() {
    }

    /** Whether the URI uses the {@code mlflow-artifacts:} scheme. */
    public static boolean isProxied(String uri) {
        return uri != null && uri.regionMatches(true, 0, SCHEME + ":", 0, SCHEME.length() + 1);
    }

    /**
     * The store path a {@code mlflow-artifacts:} URI names, validated by {@link ArtifactPath#parse} (so a stored URI
     * holding {@code ..}, {@code #}, {@code ?} or {@code ;} is refused like any user path); empty for other schemes.
     */
    public static Optional<ArtifactPath> storePath(String uri) {
        if (!isProxied(uri)) return Optional.empty();
        String rest = uri.substring(SCHEME.length() + 1);
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        while (rest.startsWith("/")) rest = rest.substring(1);
        return Optional.of(ArtifactPath.parse(rest));
    }

    /** The {@code mlflow-artifacts:} URI of a store path. */
    public static String uriOf(ArtifactPath path) {
        return SCHEME + ":/" + path;
    }
}
