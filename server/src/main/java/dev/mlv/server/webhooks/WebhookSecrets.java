package dev.mlv.server.webhooks;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Webhook secrets at rest. With an encryption key ({@code MLV_WEBHOOK_SECRET_ENCRYPTION_KEY}, else MLflow's
 * {@code MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY}; every replica needs the same) a secret is stored as
 * {@value #PREFIX} and the Base64 of a random 12-byte nonce and its AES-256-GCM ciphertext, under the SHA-256 of the
 * key; a copy of the database then does not reveal it. Without a key secrets are stored as given. Stored values
 * without the prefix (kept before a key was set) are read as they are.
 */
public final class WebhookSecrets {
    static final String PREFIX = "aes256gcm:";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    /** {@code passphrase} null or blank: secrets are stored as given. */
    public WebhookSecrets(String passphrase) {
        this.key = passphrase == null || passphrase.isBlank() ? null : new SecretKeySpec(sha256(passphrase), "AES");
    }

    /** What to store for {@code secret} (null and "" unchanged). */
    public String seal(String secret) {
        if (key == null || secret == null || secret.isEmpty()) return secret;
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return PREFIX + Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length)
                    .put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    /** The secret a stored value holds; {@code INTERNAL_ERROR} when it was sealed with another key or none is set. */
    public String open(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) return stored;
        if (key == null) {
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "The webhook's secret is encrypted: set "
                    + "MLV_WEBHOOK_SECRET_ENCRYPTION_KEY to the key it was saved with");
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Cannot decrypt the webhook's secret: it was saved with "
                    + "another MLV_WEBHOOK_SECRET_ENCRYPTION_KEY");
        }
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
