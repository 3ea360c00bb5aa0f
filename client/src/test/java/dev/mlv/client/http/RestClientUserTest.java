package dev.mlv.client.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which user names {@link RestClient#withUser} can send (the header reaching a server is covered by ModelRegistryTest). */
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
}
