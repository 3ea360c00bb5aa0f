package dev.mlv.server.registry;

import dev.mlv.server.auth.Authenticator;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user acting in a request. On a server with authentication ({@code --auth} or {@code --auth-file}) it is the authenticated user;
 * otherwise a claim: header {@code X-Mlv-User}, else the user name of HTTP Basic credentials, else {@code anonymous}.
 */
public final class RequestUser {
    public static final String HEADER = "X-Mlv-User";
    public static final String ANONYMOUS = "anonymous";
    private static final int MAX_LENGTH = 256;

    private RequestUser() {
    }

    public static String of(Context cx) {
        String proven = cx.attribute(Authenticator.USER_ATTRIBUTE);
        if (proven != null) return proven;
        String h = clean(cx.header(HEADER));
        if (h != null) return h;
        String auth = cx.header("Authorization");
        if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String u = clean(colon >= 0 ? decoded.substring(0, colon) : decoded);
                if (u != null) return u;
            } catch (IllegalArgumentException ignored) {
                // not Base64: no user from it
            }
        }
        return ANONYMOUS;
    }

    private static String clean(String s) {
        if (s == null) return null;
        String t = s.strip();
        if (t.isEmpty() || t.length() > MAX_LENGTH || t.chars().anyMatch(Character::isISOControl)) return null;
        return t;
    }
}
