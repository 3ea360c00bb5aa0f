package dev.mlv.client.http;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which user names {@link RestClient#withUser} can send (the header reaching a server is covered by ModelRegistryTest),
 * and how answers without MLflow's error body read.
 */
class RestClientUserTest {
    private final RestClient client = new RestClient("http://127.0.0.1:1");

    @Test
    void sendsLatin1NamesAndLeavesOutWhatAHeaderCannotCarry() {
        assertThat(client.withUser("ci-bot")).isNotSameAs(client);
        assertThat(client.withUser("jürgen")).isNotSameAs(client);
        assertThat(client.withUser("日本")).isSameAs(client);
        assertThat(client.withUser("a\r\nX-Injected: 1")).isSameAs(client);
        assertThat(client.withUser(" ")).isSameAs(client);
        assertThat(client.withUser(null)).isSameAs(client);
    }

    @Test
    void anAnswerWithoutMlflowsErrorBodyIsOneShortLine() {
        String page = "<!DOCTYPE HTML><html><head><title>Error response</title><style>p {color: red}</style></head>"
                + "<body>\n<h1>Error response</h1>\n<p>Error code: 404</p></body></html>";
        MlvException e = RestClient.toException(404, page);
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(e.getMessage()).isEqualTo("HTTP 404 (is this an mlv or MLflow server?): Error response Error response Error code: 404");
        assertThat(RestClient.toException(502, "").getMessage()).isEqualTo("HTTP 502");
        assertThat(RestClient.toException(503, "x".repeat(500)).getMessage()).hasSize("HTTP 503: ".length() + 161);
        MlvException mlflow = RestClient.toException(400, "{\"error_code\": \"INVALID_PARAMETER_VALUE\", \"message\": \"Bad name\"}");
        assertThat(mlflow.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(mlflow.getMessage()).isEqualTo("Bad name");
    }
}
