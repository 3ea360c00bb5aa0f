package dev.mlv.server.security;

import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.RawHttp;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DNS rebinding, cross-origin writes, CORS and the security headers, as MLflow's security middleware handles them:
 * on a real server with the default settings, and on servers started with other settings.
 */
class BrowserSecurityTest {
    private static final String CREATE = "/api/2.0/mlflow/experiments/create";
    private static final String SEARCH = "/api/2.0/mlflow/experiments/search?max_results=100";
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home.resolve("default"), null, null)
                .withBrowserSecurity(BrowserSecurity.defaults()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aRequestUnderAnotherHostNameIsRefusedAndChangesNothing() throws Exception {
        RawHttp.Response r = create(server, "rebound", Map.of("Host", "attacker.example:" + server.port()));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("\"error_code\":\"PERMISSION_DENIED\"").contains(BrowserSecurity.INVALID_HOST)
                .contains("--allowed-hosts");
        assertThat(r.headers()).containsEntry("x-content-type-options", "nosniff").containsEntry("x-frame-options", "SAMEORIGIN");
        assertThat(get(server, SEARCH, Map.of()).body()).doesNotContain("rebound");
        // reads too: a rebound page must not read the data either
        assertThat(get(server, SEARCH, Map.of("Host", "attacker.example")).status()).isEqualTo(403);
        assertThat(get(server, "/ui", Map.of("Host", "attacker.example")).status()).isEqualTo(403);
        // no Host at all (HTTP/1.0) is no allowed host either
        assertThat(get(server, SEARCH, Map.of("Host", "")).status()).isIn(400, 403);
    }

    @Test
    void loopbackAndPrivateAddressesAreAllowedButNotNamesThatLookLikeThem() throws Exception {
        for (String host : List.of("localhost", "localhost:" + server.port(), "127.0.0.1", "[::1]:5000", "10.1.2.3:5000",
                "172.20.0.7", "192.168.1.10:80", "[fd12:3456::1]:5000", "LOCALHOST:5000")) {
            assertThat(get(server, SEARCH, Map.of("Host", host)).status()).as(host).isEqualTo(200);
        }
        for (String host : List.of("10.attacker.example", "192.168.1.10.attacker.example", "172.32.0.1", "8.8.8.8:5000",
                "localhost.attacker.example", "127.0.0.1.nip.io", "[2001:db8::1]:5000")) {
            assertThat(get(server, SEARCH, Map.of("Host", host)).status()).as(host).isEqualTo(403);
        }
    }

    @Test
    void healthAndVersionAnswerWhateverTheHost() throws Exception {
        assertThat(get(server, "/health", Map.of("Host", "attacker.example")).status()).isEqualTo(200);
        assertThat(get(server, "/version", Map.of("Host", "attacker.example")).status()).isEqualTo(200);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() throws Exception {
        for (String path : List.of("/health", "/ui", SEARCH, "/api/2.0/mlflow/no-such-endpoint")) {
            RawHttp.Response r = get(server, path, Map.of());
            assertThat(r.headers()).as(path).containsEntry("x-content-type-options", "nosniff")
                    .containsEntry("x-frame-options", "SAMEORIGIN");
        }
    }

    @Test
    void aPageOfAnotherOriginCannotWriteNorReadButLoopbackPagesCan() throws Exception {
        RawHttp.Response refused = create(server, "cross-origin", Map.of("Origin", "https://attacker.example"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains(BrowserSecurity.CORS_BLOCKED).contains("--cors-allowed-origins");
        assertThat(refused.headers()).doesNotContainKey("access-control-allow-origin");
        assertThat(get(server, SEARCH, Map.of()).body()).doesNotContain("cross-origin");
        // a simple GET is answered, but without CORS headers the browser keeps the answer from the page
        RawHttp.Response read = get(server, SEARCH, Map.of("Origin", "https://attacker.example"));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers()).doesNotContainKey("access-control-allow-origin");
        // its preflight is refused
        assertThat(preflight(server, "https://attacker.example").status()).isEqualTo(403);

        RawHttp.Response local = create(server, "from-a-local-page", Map.of("Origin", "http://localhost:3000"));
        assertThat(local.status()).isEqualTo(200);
        assertThat(local.headers()).containsEntry("access-control-allow-origin", "http://localhost:3000")
                .containsEntry("access-control-allow-credentials", "true").containsEntry("vary", "Origin");
        RawHttp.Response pre = preflight(server, "http://127.0.0.1:8888");
        assertThat(pre.status()).isEqualTo(204);
        assertThat(pre.headers()).containsEntry("access-control-allow-origin", "http://127.0.0.1:8888")
                .containsEntry("access-control-allow-headers", "content-type, authorization");
        assertThat(pre.headers().get("access-control-allow-methods")).contains("POST").contains("DELETE");
        assertThat(get(server, SEARCH, Map.of()).body()).contains("from-a-local-page");
    }

    @Test
    void namedHostsReplacePrivateAddressesAndTheServersOwnPagesMayWrite(@TempDir Path dir) throws Exception {
        try (MlvServer named = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir, null, null)
                .withBrowserSecurity(new BrowserSecurity(List.of("mlv.example.com:*", "*.mlv.internal"), List.of(), null, false)))) {
            String self = "mlv.example.com:" + named.port();
            assertThat(get(named, SEARCH, Map.of("Host", self)).status()).isEqualTo(200);
            assertThat(get(named, SEARCH, Map.of("Host", "eu.mlv.internal")).status()).isEqualTo(200);
            assertThat(get(named, SEARCH, Map.of("Host", "eu.mlv.internal:5000")).status()).as("no port in the pattern").isEqualTo(403);
            assertThat(get(named, SEARCH, Map.of("Host", "10.1.2.3")).status()).isEqualTo(403);
            assertThat(get(named, SEARCH, Map.of("Host", "localhost:" + named.port())).status()).isEqualTo(200);
            // a page the server itself serves sends its own origin
            assertThat(create(named, "same-origin", Map.of("Host", self, "Origin", "http://" + self)).status()).isEqualTo(200);
            assertThat(create(named, "other-origin", Map.of("Host", self, "Origin", "http://mlv.example.com:1")).status()).isEqualTo(403);
        }
    }

    @Test
    void configuredOriginsMayCallTheApi(@TempDir Path dir) throws Exception {
        try (MlvServer s = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir, null, null)
                .withBrowserSecurity(new BrowserSecurity(List.of(), List.of("https://*.example.com", "https://notebook.internal"), "DENY", false)))) {
            RawHttp.Response ok = create(s, "from-the-app", Map.of("Origin", "https://app.example.com"));
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.headers()).containsEntry("access-control-allow-origin", "https://app.example.com")
                    .containsEntry("x-frame-options", "DENY");
            assertThat(create(s, "from-the-notebook", Map.of("Origin", "https://notebook.internal")).status()).isEqualTo(200);
            assertThat(create(s, "from-elsewhere", Map.of("Origin", "https://example.org")).status()).isEqualTo(403);
            assertThat(create(s, "from-plain-http", Map.of("Origin", "http://app.example.com")).status()).isEqualTo(403);
        }
    }

    @Test
    void turnedOffNothingIsCheckedNorAdded(@TempDir Path dir) throws Exception {
        try (MlvServer s = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir, null, null)
                .withBrowserSecurity(new BrowserSecurity(List.of(), List.of(), "NONE", true)))) {
            RawHttp.Response r = create(s, "behind-a-proxy", Map.of("Host", "mlv.example.com", "Origin", "https://attacker.example"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).doesNotContainKeys("x-frame-options", "access-control-allow-origin");
        }
        try (MlvServer s = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir, null, null)
                .withBrowserSecurity(new BrowserSecurity(List.of("*"), List.of("*"), "none", false)))) {
            RawHttp.Response r = create(s, "anyone", Map.of("Host", "anything.example", "Origin", "https://anyone.example"));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers()).doesNotContainKey("x-frame-options").containsEntry("x-content-type-options", "nosniff")
                    .containsEntry("access-control-allow-origin", "https://anyone.example");
        }
    }

    @Test
    void settingsFromMlvOrMlflowVariablesAndTheBindName() {
        Map<String, String> env = Map.of("MLFLOW_SERVER_ALLOWED_HOSTS", "a.example, b.example:*",
                "MLV_SERVER_CORS_ALLOWED_ORIGINS", "https://c.example", "MLFLOW_SERVER_CORS_ALLOWED_ORIGINS", "https://ignored.example",
                "MLFLOW_SERVER_X_FRAME_OPTIONS", "deny", "MLV_SERVER_DISABLE_SECURITY_MIDDLEWARE", "TRUE");
        BrowserSecurity b = BrowserSecurity.fromEnvironment(env::get);
        assertThat(b.allowedHosts()).containsExactly("a.example", "b.example:*");
        assertThat(b.corsAllowedOrigins()).containsExactly("https://c.example");
        assertThat(b.frameOptions()).isEqualTo("DENY");
        assertThat(b.disabled()).isTrue();
        assertThat(BrowserSecurity.fromEnvironment(k -> null)).isEqualTo(BrowserSecurity.defaults());
        assertThatThrownBy(() -> new BrowserSecurity(List.of(), List.of(), "ALLOW-FROM x", false))
                .isInstanceOf(MlvException.class).hasMessageContaining("SAMEORIGIN, DENY or NONE");

        BrowserSecurity.Check bound = BrowserSecurity.defaults().checkFor("mlv.internal");
        assertThat(bound.hostAllowed("mlv.internal:5000")).isTrue();
        assertThat(bound.hostAllowed("mlv.internal")).isTrue();
        assertThat(bound.hostAllowed("other.internal:5000")).isFalse();
        BrowserSecurity.Check everywhere = BrowserSecurity.defaults().checkFor("0.0.0.0");
        assertThat(everywhere.hostAllowed("0.0.0.0:5000")).isFalse();
        assertThat(everywhere.hostAllowed("192.168.0.2:5000")).isTrue();
        assertThat(BrowserSecurity.defaults().checkFor("fd00::5").hostAllowed("[fd00::5]:5000")).isTrue();
    }

    private static RawHttp.Response create(MlvServer s, String name, Map<String, String> headers) throws IOException {
        return RawHttp.send(s.port(), "POST", CREATE, headers, "application/json",
                ("{\"name\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static RawHttp.Response get(MlvServer s, String target, Map<String, String> headers) throws IOException {
        return RawHttp.send(s.port(), "GET", target, headers, null, null);
    }

    private static RawHttp.Response preflight(MlvServer s, String origin) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Origin", origin);
        h.put("Access-Control-Request-Method", "POST");
        h.put("Access-Control-Request-Headers", "content-type, authorization");
        return RawHttp.send(s.port(), "OPTIONS", CREATE, h, null, null);
    }
}
