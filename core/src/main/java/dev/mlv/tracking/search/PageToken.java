package dev.mlv.tracking.search;

import dev.mlv.errors.MlvException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Opaque page tokens: URL-safe base64 of {@code {"offset": N, "q": "<fingerprint>"}}. The fingerprint binds a token to
 * the query that produced it (filter, order_by, scope), so a token replayed against another query is rejected instead
 * of silently returning a wrong page.
 */
public final class PageToken {
    private PageToken() {
    }

    /** A fingerprint of the parts of a query that must stay the same from page to page. */
    public static String fingerprint(Object... parts) {
        CRC32 crc = new CRC32();
        crc.update(java.util.Arrays.stream(parts).map(p -> Objects.toString(p, "")).reduce("", (a, b) -> a + "\u0000" + b)
                .getBytes(StandardCharsets.UTF_8));
        return Long.toHexString(crc.getValue());
    }

    public static String encode(long offset, String fingerprint) {
        String json = "{\"offset\": " + offset + ", \"q\": \"" + fingerprint + "\"}";
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The offset of {@code token}; 0 for a null or empty token. */
    public static long decode(String token, String fingerprint) {
        if (token == null || token.isEmpty()) return 0;
        String json;
        try {
            byte[] raw = token.indexOf('+') >= 0 || token.indexOf('/') >= 0
                    ? Base64.getDecoder().decode(token) : Base64.getUrlDecoder().decode(token);
            json = new String(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(token, "it is not base64");
        }
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^\\{\"offset\": (\\d{1,12}), \"q\": \"([0-9a-f]{1,8})\"}$").matcher(json);
        if (!m.matches()) throw invalid(token, "it was not issued by this server");
        if (!m.group(2).equals(fingerprint)) {
            throw invalid(token, "it belongs to a search with another filter, order or scope");
        }
        return Long.parseLong(m.group(1));
    }

    private static MlvException invalid(String token, String why) {
        String shown = token.length() > 80 ? token.substring(0, 80) + "..." : token;
        return MlvException.invalid("Invalid page token '" + shown + "': " + why);
    }
}
