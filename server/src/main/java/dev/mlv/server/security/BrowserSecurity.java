package dev.mlv.server.security;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * What a web browser may do with the server, as MLflow's security middleware (3.5+) decides it, so that a web page
 * the user happens to visit cannot drive a server that has no authentication:
 * <ul>
 *   <li><b>Host check</b> (DNS rebinding): a request whose {@code Host} header is not allowed is refused with 403.
 *       Loopback names and addresses ({@code localhost}, {@code 127.0.0.1}, {@code [::1]}) are always allowed: a
 *       page on another domain cannot make a browser send them. Then either the {@code allowedHosts} patterns, or by
 *       default: private IP addresses (10/8, 172.16/12, 192.168/16, IPv6 fc00::/7), written as addresses, and the
 *       name the server was told to bind. {@code GET /health} and {@code /version} are exempt.</li>
 *   <li><b>Cross-origin writes</b>: a POST, PUT, PATCH or DELETE to {@code /api/} or {@code /ajax-api/} sent by a
 *       page of another origin ({@code Origin} header) is refused with 403, unless that origin is on loopback, is the
 *       server itself (its {@code Host}, or the {@code X-Forwarded-Host} a proxy sends), or matches
 *       {@code corsAllowedOrigins}. A form of the web UI ({@code POST /ui/…}) must also
 *       say where it comes from ({@code Origin}, else {@code Referer}), as browsers do: a request that does not is
 *       refused too.</li>
 *   <li><b>CORS</b>: those allowed origins, and only they, get {@code Access-Control-Allow-*} headers on the API and
 *       an answer to their preflight {@code OPTIONS}, so a page of any other origin cannot read the API's answers
 *       either (MLflow lets every origin read; mlv does not).</li>
 *   <li><b>Headers</b> on every answer: {@code X-Content-Type-Options: nosniff} and {@code X-Frame-Options}
 *       ({@code SAMEORIGIN} unless configured; {@code NONE} leaves it out).</li>
 * </ul>
 * Patterns match case-insensitively; {@code *} stands for any characters and a pattern {@code *} alone allows all.
 * A host pattern without a port matches only a {@code Host} header without one ({@code mlv.example.com:*} takes any
 * port). {@code disabled} turns all of this off.
 */
public record BrowserSecurity(List<String> allowedHosts, List<String> corsAllowedOrigins, String frameOptions, boolean disabled) {
    public static final String INVALID_HOST = "Invalid Host header - possible DNS rebinding attack detected";
    public static final String CORS_BLOCKED = "Cross-origin request blocked";
    private static final Logger LOG = LoggerFactory.getLogger(BrowserSecurity.class);
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Set<String> EXEMPT_FROM_HOST_CHECK = Set.of("/health", "/version");
    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final String ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-f:.]+");

    public BrowserSecurity {
        allowedHosts = List.copyOf(allowedHosts);
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
        frameOptions = frameOptions == null || frameOptions.isBlank() ? "SAMEORIGIN" : frameOptions.trim().toUpperCase(Locale.ROOT);
        if (!Set.of("SAMEORIGIN", "DENY", "NONE").contains(frameOptions)) {
            throw MlvException.invalid("Unknown X-Frame-Options '" + frameOptions + "': use SAMEORIGIN, DENY or NONE");
        }
    }

    /** MLflow's defaults: private addresses, any loopback origin, {@code SAMEORIGIN}. */
    public static BrowserSecurity defaults() {
        return new BrowserSecurity(List.of(), List.of(), null, false);
    }

    /**
     * The settings of {@code MLV_SERVER_ALLOWED_HOSTS}, {@code MLV_SERVER_CORS_ALLOWED_ORIGINS} (comma-separated),
     * {@code MLV_SERVER_X_FRAME_OPTIONS} and {@code MLV_SERVER_DISABLE_SECURITY_MIDDLEWARE}, each else MLflow's
     * {@code MLFLOW_SERVER_…} of the same name.
     */
    public static BrowserSecurity fromEnvironment(UnaryOperator<String> env) {
        return new BrowserSecurity(list(setting(env, "ALLOWED_HOSTS")), list(setting(env, "CORS_ALLOWED_ORIGINS")),
                setting(env, "X_FRAME_OPTIONS"), "true".equalsIgnoreCase(String.valueOf(setting(env, "DISABLE_SECURITY_MIDDLEWARE")).trim()));
    }

    /** A comma-separated list, trimmed, without empty items (null: empty). */
    public static List<String> list(String commaSeparated) {
        if (commaSeparated == null) return List.of();
        return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String setting(UnaryOperator<String> env, String name) {
        for (String prefix : new String[] {"MLV_SERVER_", "MLFLOW_SERVER_"}) {
            String v = env.apply(prefix + name);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    /** The check for one server: {@code bindHost} (its {@code --host}) is allowed by default unless it is a wildcard. */
    public Check checkFor(String bindHost) {
        return new Check(bindHost);
    }

    /** A Javalin {@code before} handler that applies these settings; see {@link BrowserSecurity}. */
    public final class Check {
        private final List<Pattern> hosts;
        private final List<Pattern> origins;
        private final boolean anyHost;
        private final boolean anyOrigin;
        private final boolean privateAddresses;

        private Check(String bindHost) {
            anyHost = allowedHosts.contains("*");
            anyOrigin = corsAllowedOrigins.contains("*");
            privateAddresses = allowedHosts.isEmpty();
            List<String> h = allowedHosts;
            if (h.isEmpty() && bindHost != null && !isWildcard(bindHost)) h = List.of(hostLiteral(bindHost) + ":*", hostLiteral(bindHost));
            hosts = h.stream().map(BrowserSecurity::glob).toList();
            origins = corsAllowedOrigins.stream().map(BrowserSecurity::glob).toList();
        }

        /** Refuses what these settings do not allow (an {@link MlvException} with 403), and answers allowed preflights. */
        public void handle(Context cx) {
            if (disabled) return;
            cx.header("X-Content-Type-Options", "nosniff");
            if (!frameOptions.equals("NONE")) cx.header("X-Frame-Options", frameOptions);
            String path = cx.path();
            String host = cx.header("Host");
            if (!EXEMPT_FROM_HOST_CHECK.contains(path) && !hostAllowed(host)) {
                LOG.warn("Refused a request with Host header '{}' to {} (allow it with --allowed-hosts)", printable(host), printable(path));
                throw new MlvException(ErrorCode.PERMISSION_DENIED, INVALID_HOST
                        + ": this server answers to loopback and private addresses unless started with --allowed-hosts");
            }
            String origin = cx.header("Origin");
            if (path.startsWith("/ui/") && STATE_CHANGING.contains(cx.method())) {
                // a form of the web UI: only its own pages (or an allowed origin) may send it, and a browser says which
                // page did (Origin, else Referer); without either it is no form of ours
                String from = origin != null && !origin.equals("null") ? origin : originOf(cx.header("Referer"));
                if (from == null || !originAllowed(from, host, forwardedHost(cx))) {
                    LOG.warn("Refused a {} {} from origin '{}'", cx.method(), printable(path), printable(from));
                    throw new MlvException(ErrorCode.PERMISSION_DENIED, CORS_BLOCKED
                            + ": changes through the web UI must come from its own pages (behind a proxy that changes the Host "
                            + "header, have it send X-Forwarded-Host, or start the server with --cors-allowed-origins)");
                }
                return;
            }
            if (origin == null || !(path.startsWith("/api/") || path.startsWith("/ajax-api/"))) return;
            boolean allowed = originAllowed(origin, host, forwardedHost(cx));
            boolean preflight = cx.method() == HandlerType.OPTIONS && cx.header("Access-Control-Request-Method") != null;
            if (!allowed && (preflight || STATE_CHANGING.contains(cx.method()))) {
                LOG.warn("Refused a cross-origin {} {} from origin '{}' (allow it with --cors-allowed-origins)", cx.method(), printable(path),
                        printable(origin));
                throw new MlvException(ErrorCode.PERMISSION_DENIED, CORS_BLOCKED + ": origin '" + printable(origin)
                        + "' may not use this server's API unless the server is started with --cors-allowed-origins");
            }
            if (!allowed) return; // a simple cross-origin GET is answered without CORS headers: the browser hides it
            cx.header("Access-Control-Allow-Origin", origin);
            cx.header("Access-Control-Allow-Credentials", "true");
            cx.header("Vary", "Origin");
            if (preflight) {
                cx.header("Access-Control-Allow-Methods", ALLOWED_METHODS);
                String headers = cx.header("Access-Control-Request-Headers");
                if (headers != null) cx.header("Access-Control-Allow-Headers", headers);
                cx.header("Access-Control-Max-Age", "600");
                cx.status(204);
                cx.skipRemainingHandlers();
            }
        }

        boolean hostAllowed(String host) {
            if (host == null || host.isBlank()) return false;
            String h = host.trim().toLowerCase(Locale.ROOT);
            if (anyHost || LOOPBACK.contains(withoutPort(h))) return true;
            if (privateAddresses && isPrivateAddress(withoutPort(h))) return true;
            for (Pattern p : hosts) if (p.matcher(h).matches()) return true;
            return false;
        }

        boolean originAllowed(String origin, String host, String forwardedHost) {
            if (anyOrigin) return true;
            URI uri;
            try {
                uri = new URI(origin.trim());
            } catch (Exception e) {
                return false;
            }
            String originHost = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
            if (originHost == null) return false;
            if (LOOPBACK.contains(originHost) || originHost.equals("::1")) return true;
            // the server's own pages: the Host header (already checked) names the same host and port, or, behind a
            // proxy that sends the upstream's Host, its X-Forwarded-Host does (a page elsewhere cannot set that header
            // without a preflight, which it does not get)
            String authority = uri.getRawAuthority();
            if (authority != null && (sameAuthority(authority, host) || sameAuthority(authority, forwardedHost))) return true;
            String o = origin.trim().toLowerCase(Locale.ROOT);
            for (Pattern p : origins) if (p.matcher(o).matches()) return true;
            return false;
        }
    }

    /** The first host of {@code X-Forwarded-Host}, or null. */
    private static String forwardedHost(Context cx) {
        String h = cx.header("X-Forwarded-Host");
        return h == null ? null : h.split(",", 2)[0].trim();
    }

    private static boolean sameAuthority(String authority, String host) {
        return host != null && !host.isEmpty() && authority.equalsIgnoreCase(host.trim());
    }

    /** The origin ({@code scheme://host[:port]}) of a Referer URL, or null. */
    static String originOf(String referer) {
        if (referer == null) return null;
        try {
            URI u = new URI(referer.trim());
            return u.getScheme() == null || u.getRawAuthority() == null ? null : u.getScheme() + "://" + u.getRawAuthority();
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code host[:port]} or {@code [v6][:port]} without the port. */
    static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    /**
     * True for an IP address literal (not a name: {@code 10.example.com} is no address) in 10/8, 172.16/12,
     * 192.168/16 or, in brackets, IPv6 fc00::/7.
     */
    static boolean isPrivateAddress(String host) {
        boolean v6 = host.startsWith("[") && host.endsWith("]");
        String literal = v6 ? host.substring(1, host.length() - 1) : host;
        if (!(v6 ? IPV6_LITERAL : IPV4_LITERAL).matcher(literal).matches()) return false;
        try {
            byte[] a = InetAddress.getByName(literal).getAddress(); // a literal: no lookup
            if (a.length == 4) return a[0] == 10 || (a[0] == (byte) 172 && (a[1] & 0xF0) == 16) || (a[0] == (byte) 192 && a[1] == (byte) 168);
            return (a[0] & 0xFE) == 0xFC;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean isWildcard(String bindHost) {
        String h = bindHost.trim();
        return h.isEmpty() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]") || h.equals("*");
    }

    private static String hostLiteral(String bindHost) {
        String h = bindHost.trim().toLowerCase(Locale.ROOT);
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    /** A case-insensitive pattern where {@code *} is any characters and everything else is itself. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (String part : pattern.trim().toLowerCase(Locale.ROOT).split("\\*", -1)) {
            if (!re.isEmpty()) re.append(".*");
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    /** A header value for a log line or message: control characters replaced, at most 100 characters. */
    private static String printable(String value) {
        return printable(value, 100);
    }

    /**
     * What a request sent (a header, a path), fit for a log line or an error message: control characters replaced by
     * {@code ?}, at most {@code max} characters, {@code (none)} for null.
     */
    public static String printable(String value, int max) {
        if (value == null) return "(none)";
        String v = value.replaceAll("\\p{Cntrl}", "?");
        return v.length() > max ? v.substring(0, max) + "…" : v;
    }
}
