package dev.mlv.users;

import dev.mlv.errors.MlvException;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Stored passwords: {@code pbkdf2_sha256$<iterations>$<salt>$<hash>}, PBKDF2-HMAC-SHA256 with a random 16-byte salt
 * and a 256-bit hash, both in Base64; {@value #DEFAULT_ITERATIONS} iterations by default.
 */
public final class PasswordHash {
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final String SCHEME = "pbkdf2_sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {
    }

    /** A new hash of {@code password} with a random salt; an empty password is {@code INVALID_PARAMETER_VALUE}. */
    public static String of(String password, int iterations) {
        if (password == null || password.isEmpty()) throw MlvException.invalid("The password must not be empty");
        if (iterations < 1) throw MlvException.invalid("The iteration count must be positive");
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder();
        return SCHEME + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /** Whether {@code password} hashes to {@code encoded} (compared in constant time). */
    public static boolean matches(String password, String encoded) {
        String[] p = parts(encoded);
        Base64.Decoder b64 = Base64.getDecoder();
        return MessageDigest.isEqual(b64.decode(p[3]), pbkdf2(password, b64.decode(p[2]), Integer.parseInt(p[1])));
    }

    /** {@code INVALID_PARAMETER_VALUE} unless {@code encoded} has this class's format. */
    public static String check(String encoded) {
        parts(encoded);
        return encoded;
    }

    private static String[] parts(String encoded) {
        String[] p = encoded == null ? new String[0] : encoded.split("\\$", -1);
        try {
            if (p.length == 4 && p[0].equals(SCHEME) && Integer.parseInt(p[1]) > 0
                    && Base64.getDecoder().decode(p[2]).length > 0 && Base64.getDecoder().decode(p[3]).length > 0) {
                return p;
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal
        }
        throw MlvException.invalid("Malformed password hash: expected " + SCHEME + "$<iterations>$<salt>$<hash>");
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        }
    }
}
