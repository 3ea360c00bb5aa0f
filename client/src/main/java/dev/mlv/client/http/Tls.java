package dev.mlv.client.http;

import dev.mlv.errors.MlvException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How clients check the TLS certificate of an {@code https://} server, as MLflow's clients are told:
 * <ul>
 *   <li>{@code MLV_TRACKING_SERVER_CERT_PATH} (else MLflow's {@code MLFLOW_TRACKING_SERVER_CERT_PATH}): a PEM file of
 *       the certificate authorities to trust instead of the JDK's (a company CA, a self-signed server);</li>
 *   <li>{@code MLV_TRACKING_INSECURE_TLS=true} (else {@code MLFLOW_TRACKING_INSECURE_TLS}): no check at all, neither
 *       of the certificate nor of the host name. For tests only: anyone between client and server can read and change
 *       everything, credentials included;</li>
 *   <li>{@code MLV_TRACKING_CLIENT_CERT_PATH} (else {@code MLFLOW_TRACKING_CLIENT_CERT_PATH}): a PEM file with the
 *       client's certificate chain and its unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}), for a server
 *       that asks for client certificates (mutual TLS).</li>
 * </ul>
 * None set: the JDK's trusted authorities and host name check, no client certificate.
 */
final class Tls {
    private static final Pattern PEM_KEY = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private static final Pattern PEM_CERTIFICATE = Pattern.compile("-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----");

    private Tls() {
    }

    /** The SSL context the environment asks for, or null for the JDK's default. */
    static SSLContext fromEnvironment(UnaryOperator<String> env) {
        KeyManager[] client = clientCertificate(Credentials.setting(env, "CLIENT_CERT_PATH"));
        TrustManager[] trust = Boolean.parseBoolean(Credentials.setting(env, "INSECURE_TLS")) ? new TrustManager[] {new TrustingEveryone()}
                : trusted(Credentials.setting(env, "SERVER_CERT_PATH"));
        return client == null && trust == null ? null : context(client, trust);
    }

    /** Trust managers for the CA certificates in the PEM file at {@code path}; null when no path is set. */
    private static TrustManager[] trusted(String path) {
        if (path == null) return null;
        try (InputStream in = Files.newInputStream(Path.of(path.trim()))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) throw new GeneralSecurityException("no certificate in it");
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int i = 0;
            for (Certificate c : certs) trusted.setCertificateEntry("ca-" + i++, c);
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(trusted);
            return f.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw MlvException.invalid("Cannot read the certificates of MLV_TRACKING_SERVER_CERT_PATH=" + path + ": " + e.getMessage()
                    + " (expected a PEM file of CA certificates)");
        }
    }

    /** Key managers for the certificate chain and PKCS#8 key in the PEM file at {@code path}; null when none is set. */
    private static KeyManager[] clientCertificate(String path) {
        if (path == null) return null;
        try {
            String pem = Files.readString(Path.of(path.trim()), StandardCharsets.US_ASCII);
            Matcher key = PEM_KEY.matcher(pem);
            if (!key.find()) {
                throw new GeneralSecurityException("no unencrypted PKCS#8 private key (BEGIN PRIVATE KEY) in it; convert "
                        + "one with 'openssl pkcs8 -topk8 -nocrypt'");
            }
            byte[] der = Base64.getMimeDecoder().decode(key.group(1));
            PrivateKey privateKey = null;
            for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
                try {
                    privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                    break;
                } catch (GeneralSecurityException notThisOne) {
                    // try the next algorithm
                }
            }
            if (privateKey == null) throw new GeneralSecurityException("the private key is not RSA, EC or Ed25519");
            StringBuilder certificates = new StringBuilder(); // the certificate blocks alone: the key block is no certificate
            for (Matcher m = PEM_CERTIFICATE.matcher(pem); m.find(); ) certificates.append(m.group()).append('\n');
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(certificates.toString().getBytes(StandardCharsets.US_ASCII)));
            if (chain.isEmpty()) throw new GeneralSecurityException("no certificate in it");
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            ks.setKeyEntry("client", privateKey, new char[0], chain.toArray(Certificate[]::new));
            KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            f.init(ks, new char[0]);
            return f.getKeyManagers();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw MlvException.invalid("Cannot read the client certificate of MLV_TRACKING_CLIENT_CERT_PATH=" + path + ": "
                    + e.getMessage() + " (expected a PEM file with the certificate and its private key)");
        }
    }

    private static SSLContext context(KeyManager[] client, TrustManager[] trust) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(client, trust, null);
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
