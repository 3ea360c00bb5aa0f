package dev.mlv.s3;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ClientsTest {

    @Test
    void mlvEndpointWinsOverMlflows() {
        Map<String, String> env = Map.of(S3Clients.ENDPOINT_ENV, "http://127.0.0.1:9000",
                S3Clients.MLFLOW_ENDPOINT_ENV, "http://127.0.0.1:9001");
        assertThat(S3Clients.endpointOverride(env::get)).contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void fallsBackToMlflowsVariableThenToNone() {
        assertThat(S3Clients.endpointOverride(Map.of(S3Clients.MLFLOW_ENDPOINT_ENV, "https://minio.local")::get))
                .contains(URI.create("https://minio.local"));
        assertThat(S3Clients.endpointOverride(Map.of(S3Clients.ENDPOINT_ENV, " ")::get)).isEmpty();
        assertThat(S3Clients.endpointOverride(Map.<String, String>of()::get)).isEmpty();
    }

    @Test
    void rejectsEndpointsThatAreNotHttpUrls() {
        assertThatThrownBy(() -> S3Clients.endpointOverride(Map.of(S3Clients.ENDPOINT_ENV, "minio:9000")::get))
                .isInstanceOf(MlvException.class).hasMessageContaining("http(s)://host");
        assertThatThrownBy(() -> S3Clients.endpointOverride(Map.of(S3Clients.ENDPOINT_ENV, "ftp://h/")::get))
                .isInstanceOf(MlvException.class);
    }
}
