package dev.mlv.client.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** An https server with a self-signed certificate (made by the JDK's keytool) for 127.0.0.1 only. */
class TlsTest {
    @TempDir
    static Path dir;
    static HttpsServer server;
    static HttpsServer mutualServer;
    static Path certificate;
    static Path clientPem;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=mlv-test", "-ext", "SAN=ip:127.0.0.1", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        certificate = dir.resolve("ca.pem");
        run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", certificate.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/", ex -> {
            byte[] body = "{\"experiments\":[]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();

        // a second server that asks for a client certificate and trusts only the one made here
        Path clientStore = dir.resolve("client.p12");
        run(keytool, "-genkeypair", "-alias", "client", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=trainer", "-keystore", clientStore.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        KeyStore clientKeys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(clientStore)) {
            clientKeys.load(in, "changeit".toCharArray());
        }
        java.security.cert.Certificate clientCert = clientKeys.getCertificate("client");
        java.util.Base64.Encoder mime = java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        clientPem = Files.writeString(dir.resolve("client.pem"),
                "-----BEGIN CERTIFICATE-----\n" + mime.encodeToString(clientCert.getEncoded()) + "\n-----END CERTIFICATE-----\n"
                + "-----BEGIN PRIVATE KEY-----\n" + mime.encodeToString(clientKeys.getKey("client", "changeit".toCharArray()).getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        KeyStore trustClient = KeyStore.getInstance("PKCS12");
        trustClient.load(null, null);
        trustClient.setCertificateEntry("client", clientCert);
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustClient);
        SSLContext mutual = SSLContext.getInstance("TLS");
        mutual.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        mutualServer = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        mutualServer.setHttpsConfigurator(new HttpsConfigurator(mutual) {
            @Override
            public void configure(com.sun.net.httpserver.HttpsParameters params) {
                javax.net.ssl.SSLParameters p = mutual.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        mutualServer.createContext("/", ex -> {
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        mutualServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
        if (mutualServer != null) mutualServer.stop(0);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("keytool failed: " + out);
    }

    static String url(String host) {
        return "https://" + host + ":" + server.getAddress().getPort();
    }

    /**
     * A JSON request and a download (which take different HTTP clients) to {@code url}: both succeed, or both fail
     * alike, and the JSON request's failure is thrown.
     */
    static void search(String url, Map<String, String> env) {
        RuntimeException json = failure(() -> RestClientAccess.forTrackingServer(url, env).get("/api/2.0/mlflow/experiments/search", Map.of()));
        RuntimeException download = failure(() -> {
            try (InputStream in = RestClientAccess.forTrackingServer(url, env).openStream("/get-artifact?path=model.onnx")) {
                assertThat(in.readAllBytes()).isNotEmpty();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (json == null) {
            assertThat(download).as("the download's failure where the JSON request succeeded").isNull();
            return;
        }
        assertThat(download).as("the download where the JSON request failed with: " + json.getMessage()).isNotNull();
        assertThat(download.getClass()).isEqualTo(json.getClass());
        if (json instanceof MlvException j) assertThat(((MlvException) download).code()).isEqualTo(j.code());
        throw json;
    }

    private static RuntimeException failure(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void anUntrustedCertificateIsRefusedWithAHint() {
        assertThatThrownBy(() -> search(url("127.0.0.1"), Map.of()))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TEMPORARILY_UNAVAILABLE))
                .hasMessageContaining("is not trusted").hasMessageContaining("MLV_TRACKING_SERVER_CERT_PATH");
    }

    @Test
    void theCertificateAuthorityOfServerCertPathIsTrustedAndTheHostIsStillChecked() {
        search(url("127.0.0.1"), Map.of("MLV_TRACKING_SERVER_CERT_PATH", certificate.toString()));
        search(url("127.0.0.1"), Map.of("MLFLOW_TRACKING_SERVER_CERT_PATH", certificate.toString()));
        // the certificate names 127.0.0.1, not localhost
        assertThatThrownBy(() -> search(url("localhost"), Map.of("MLV_TRACKING_SERVER_CERT_PATH", certificate.toString())))
                .hasMessageContaining("is not trusted");
    }

    @Test
    void insecureTlsChecksNothing() {
        search(url("localhost"), Map.of("MLFLOW_TRACKING_INSECURE_TLS", "true"));
        search(url("127.0.0.1"), Map.of("MLV_TRACKING_INSECURE_TLS", "true"));
    }

    @Test
    void aCertificateFileThatIsNotPemIsAClearError() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.pem"), "not a certificate");
        assertThatThrownBy(() -> search(url("127.0.0.1"), Map.of("MLV_TRACKING_SERVER_CERT_PATH", bad.toString())))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE))
                .hasMessageContaining("Cannot read the certificates of MLV_TRACKING_SERVER_CERT_PATH");
        assertThatThrownBy(() -> search(url("127.0.0.1"), Map.of("MLV_TRACKING_SERVER_CERT_PATH", dir.resolve("missing.pem").toString())))
                .hasMessageContaining("Cannot read the certificates");
    }

    @Test
    void aServerAskingForAClientCertificateGetsTheOneOfClientCertPath() {
        String url = "https://127.0.0.1:" + mutualServer.getAddress().getPort();
        Map<String, String> trustServer = Map.of("MLV_TRACKING_SERVER_CERT_PATH", certificate.toString());
        assertThatThrownBy(() -> search(url, trustServer)).isInstanceOf(MlvException.class);
        search(url, Map.of("MLV_TRACKING_SERVER_CERT_PATH", certificate.toString(),
                "MLFLOW_TRACKING_CLIENT_CERT_PATH", clientPem.toString()));
    }

    @Test
    void aClientCertificateFileWithoutItsKeyIsAClearError() {
        assertThatThrownBy(() -> search(url("127.0.0.1"), Map.of("MLV_TRACKING_CLIENT_CERT_PATH", certificate.toString())))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE))
                .hasMessageContaining("no unencrypted PKCS#8 private key");
    }
}
