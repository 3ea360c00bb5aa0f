package dev.mlv.client;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

/**
 * Maps a run's {@code artifact_uri} ({@code mlflow-artifacts:/<experiment_id>/<run_id>/artifacts}) and a relative
 * artifact path to the artifact proxy's URL path {@code /api/2.0/mlflow-artifacts/artifacts/...}.
 */
record ArtifactLocation(ArtifactPath root) {
    static final String SCHEME = "mlflow-artifacts:";
    static final String PROXY = "/api/2.0/mlflow-artifacts/artifacts";
    static final String MULTIPART = "/api/2.0/mlflow-artifacts/mpu/";

    static ArtifactLocation of(String artifactUri) {
        if (artifactUri == null || !artifactUri.startsWith(SCHEME)) {
            throw new MlvException(ErrorCode.NOT_IMPLEMENTED, "The Java client uploads artifacts through the server's "
                    + "artifact proxy; this run's artifact_uri is '" + artifactUri + "', not mlflow-artifacts:/...");
        }
        String rest = artifactUri.substring(SCHEME.length());
        if (rest.startsWith("//")) { // mlflow-artifacts://host:port/path: the authority is the tracking server itself
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        while (rest.startsWith("/")) rest = rest.substring(1);
        return new ArtifactLocation(ArtifactPath.parse(rest));
    }

    /** The proxy URL path of {@code relative} (already validated) under this root. */
    String url(ArtifactPath relative) {
        return encoded(PROXY, relative);
    }

    /** The URL path of MLflow's multipart-upload {@code action} (create, complete, abort) for the folder {@code relativeDir}. */
    String multipartUrl(String action, ArtifactPath relativeDir) {
        return encoded(MULTIPART + action, relativeDir);
    }

    private String encoded(String prefix, ArtifactPath relative) {
        StringBuilder sb = new StringBuilder(prefix);
        for (String seg : root.resolve(relative).segments()) sb.append('/').append(RestClient.enc(seg));
        return sb.toString();
    }
}
