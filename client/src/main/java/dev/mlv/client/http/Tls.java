package dev.mlv.client.http;

import dev.mlv.errors.MlvException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.function.UnaryOperator;

/**
 * How clients check the TLS certificate of an {@code https://} server, as MLflow's clients are told:
 * <ul>
 *   <li>{@code MLV_TRACKING_SERVER_CERT_PATH} (else MLflow's {@code MLFLOW_TRACKING_SERVER_CERT_PATH}): a PEM file of
 *       the certificate authorities to trust instead of the JDK's (a company CA, a self-signed server);</li>
 *   <li>{@code MLV_TRACKING_INSECURE_TLS=true} (else {@code MLFLOW_TRACKING_INSECURE_TLS}): no check at all, neither
 *       of the certificate nor of the host name. For tests only: anyone between client and server can read and change
 *       everything, credentials included.</li>
 * </ul>
 * Neither set: the JDK's trusted authorities and host name check.
 */
final class Tls {
    private Tls() {
    }

    /** The SSL context the environment asks for, or null for the JDK's default. */
    static SSLContext fromEnvironment(UnaryOperator<String> env) {
        if (Boolean.parseBoolean(setting(env, "INSECURE_TLS"))) return context(new TrustManager[] {new TrustingEveryone()});
        String path = setting(env, "SERVER_CERT_PATH");
        if (path == null || path.isBlank()) return null;
        try (InputStream in = Files.newInputStream(Path.of(path.trim()))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new GeneralSecurityException("no certificate in it");
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certs) trusted.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(trusted);
            return context(f.getTrustManagers());
        } catch (IOException | GeneralSecurityException e) {
            throw MlvException.invalid("Cannot read the certificates of MLV_TRACKING_SERVER_CERT_PATH=" + path + ": " + e.getMessage()
                    + " (expected a PEM file of CA certificates)");
        }
    }

    private static String setting(UnaryOperator<String> env, String name) {
        String v = env.apply("MLV_TRACKING_" + name);
        return v != null && !v.isBlank() ? v : env.apply("MLFLOW_TRACKING_" + name);
    }

    private static SSLContext context(TrustManager[] trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, trust, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available", e);
        }
    }

    /** Accepts any certificate for any host: an extended trust manager does the host check itself, so none is done. */
    private static final class TrustingEveryone extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
