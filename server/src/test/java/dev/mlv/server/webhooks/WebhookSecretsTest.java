package dev.mlv.server.webhooks;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookSecretsTest {
    @Test
    void withAKeySecretsAreStoredEncryptedAndReadBack() {
        WebhookSecrets secrets = new WebhookSecrets("a key");
        String sealed = secrets.seal("whsec-123");
        assertThat(sealed).startsWith(WebhookSecrets.PREFIX).doesNotContain("whsec-123");
        assertThat(secrets.seal("whsec-123")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(secrets.open(sealed)).isEqualTo("whsec-123");
        assertThat(new WebhookSecrets("a key").open(sealed)).as("the same key on another replica").isEqualTo("whsec-123");
        assertThat(secrets.open("kept-before-the-key")).isEqualTo("kept-before-the-key");
        assertThat(secrets.seal(null)).isNull();
        assertThat(secrets.seal("")).isEmpty();

        String tampered = sealed.substring(0, sealed.length() - 4) + (sealed.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (WebhookSecrets wrong : new WebhookSecrets[] {new WebhookSecrets("another key"), new WebhookSecrets(null)}) {
            assertThatThrownBy(() -> wrong.open(sealed)).isInstanceOfSatisfying(MlvException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL_ERROR)).hasMessageContaining("MLV_WEBHOOK_SECRET_ENCRYPTION_KEY");
        }
        assertThatThrownBy(() -> secrets.open(tampered)).hasMessageContaining("Cannot decrypt");
    }

    @Test
    void withoutAKeySecretsAreStoredAsGiven() {
        WebhookSecrets plain = new WebhookSecrets(" ");
        assertThat(plain.seal("whsec-123")).isEqualTo("whsec-123");
        assertThat(plain.open("whsec-123")).isEqualTo("whsec-123");
    }
}
