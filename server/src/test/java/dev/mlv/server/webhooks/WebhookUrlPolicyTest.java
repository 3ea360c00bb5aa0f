package dev.mlv.server.webhooks;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookUrlPolicyTest {
    static boolean isPublic(String literal) throws UnknownHostException {
        return WebhookUrlPolicy.isPublic(InetAddress.getByName(literal));
    }

    @Test
    void onlyGloballyRoutableAddressesArePublic() throws Exception {
        for (String inside : new String[] {"127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                "192.168.0.1", "169.254.169.254", "100.64.0.1", "100.127.255.254", "0.0.0.0", "0.1.2.3", "224.0.0.1",
                "240.0.0.1", "255.255.255.255", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.7", "203.0.113.9",
                "::", "::1", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:127.0.0.1",
                "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:0a00:0001::1"}) {
            assertThat(isPublic(inside)).as(inside).isFalse();
        }
        for (String outside : new String[] {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.169.0.1",
                "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:0808:0808::1"}) {
            assertThat(isPublic(outside)).as(outside).isTrue();
        }
    }

    @Test
    void resolvingRefusesNamesOfPrivateAddressesUnlessAllowed() throws Exception {
        WebhookSettings strict = WebhookSettings.fromEnvironment(n -> null);
        WebhookUrlPolicy policy = new WebhookUrlPolicy(strict);
        assertThatThrownBy(() -> policy.resolve("localhost")).isInstanceOf(WebhookUrlPolicy.NotPublicException.class)
                .hasMessageContaining("not a public address");
        assertThatThrownBy(() -> policy.resolve("[::1]")).isInstanceOf(WebhookUrlPolicy.NotPublicException.class);
        WebhookUrlPolicy open = new WebhookUrlPolicy(new WebhookSettings(Set.of("http"), true, Duration.ofSeconds(1), 0,
                Duration.ZERO, 1, null));
        assertThat(open.resolve("localhost")).isNotEmpty();
    }

    @Test
    void settingsComeFromMlvOrMlflowVariables() {
        WebhookSettings s = WebhookSettings.fromEnvironment(java.util.Map.of("MLV_WEBHOOK_ALLOWED_SCHEMES", "https, HTTP",
                "MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS", "true", "MLFLOW_WEBHOOK_REQUEST_TIMEOUT", "7",
                "MLV_WEBHOOK_REQUEST_MAX_RETRIES", "0", "MLV_WEBHOOK_DELIVERY_MAX_WORKERS", "3",
                "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", "k")::get);
        assertThat(s.allowedSchemes()).containsExactlyInAnyOrder("https", "http");
        assertThat(s.allowPrivateIps()).isTrue();
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(s.maxRetries()).isZero();
        assertThat(s.workers()).isEqualTo(3);
        assertThat(s.secretEncryptionKey()).isEqualTo("k");
        WebhookSettings d = WebhookSettings.fromEnvironment(n -> null);
        assertThat(d.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxRetries()).isEqualTo(3);
        assertThat(d.workers()).isEqualTo(10);
        assertThat(d.secretEncryptionKey()).isNull();
        assertThatThrownBy(() -> WebhookSettings.fromEnvironment(java.util.Map.of("MLV_WEBHOOK_REQUEST_TIMEOUT", "soon")::get))
                .hasMessageContaining("whole number");
    }
}
