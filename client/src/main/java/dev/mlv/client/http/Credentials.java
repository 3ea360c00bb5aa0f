package dev.mlv.client.http;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The credentials a client sends to a server, as an {@code Authorization} value:
 * <ol>
 *   <li>{@code MLV_TRACKING_USERNAME} / {@code MLV_TRACKING_PASSWORD}, else MLflow's {@code MLFLOW_TRACKING_USERNAME} /
 *       {@code MLFLOW_TRACKING_PASSWORD} (HTTP Basic), else a token in {@code MLV_TRACKING_TOKEN} or
 *       {@code MLFLOW_TRACKING_TOKEN} (a bearer token, for a server behind an authenticating proxy): sent to the
 *       tracking server, whatever URL the user gave for it. A server
 *       named in a repository's files (an {@code http(s)://} data remote) gets them only when it is the tracking
 *       server, with the scheme, host and port of {@code MLV_TRACKING_URI} (else {@code MLFLOW_TRACKING_URI}): the
 *       author of a cloned repository cannot send them to another host;</li>
 *   <li>else the server's host in the netrc file ({@code NETRC}, else {@code ~/.netrc}: {@code machine HOST login USER
 *       password PASSWORD}, or a {@code default} entry), as curl, git and Python's {@code requests} read it.</li>
 * </ol>
 */
final class Credentials {
    private Credentials() {
    }

    /** The credentials for the tracking server at {@code baseUrl}. */
    static Optional<String> forTrackingServer(String baseUrl, UnaryOperator<String> env) {
        return fromVariables(env).or(() -> fromNetrc(baseUrl, env));
    }

    /** The credentials for a server named in a repository's files, at {@code baseUrl}. */
    static Optional<String> forConfiguredServer(String baseUrl, UnaryOperator<String> env) {
        Optional<String> variables = sameOrigin(baseUrl, RestClient.trackingUri(env)) ? fromVariables(env) : Optional.empty();
        return variables.or(() -> fromNetrc(baseUrl, env));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static Optional<String> fromVariables(UnaryOperator<String> env) {
        for (String prefix : new String[] {"MLV_TRACKING_", "MLFLOW_TRACKING_"}) {
            String user = env.apply(prefix + "USERNAME");
            String password = env.apply(prefix + "PASSWORD");
            if (user != null && !user.isEmpty() && password != null) return Optional.of(basic(user, password));
        }
        String token = setting(env, "TOKEN");
        return token == null ? Optional.empty() : Optional.of("Bearer " + token.trim());
    }

    /** {@code MLV_TRACKING_<name>}, else MLflow's {@code MLFLOW_TRACKING_<name>}; null when neither is set (or blank). */
    static String setting(UnaryOperator<String> env, String name) {
        for (String prefix : new String[] {"MLV_TRACKING_", "MLFLOW_TRACKING_"}) {
            String v = env.apply(prefix + name);
            if (v != null && !v.isBlank()) return v;
        }
        return null;
    }

    /** Same scheme, host and port (80 and 443 when absent), compared case-insensitively. */
    static boolean sameOrigin(String a, String b) {
        try {
            URI x = URI.create(a), y = URI.create(b);
            return x.getScheme() != null && x.getHost() != null
                    && x.getScheme().equalsIgnoreCase(y.getScheme())
                    && x.getHost().equalsIgnoreCase(y.getHost())
                    && port(x) == port(y);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) return u.getPort();
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** The {@code machine} entry of the netrc file for the host of {@code baseUrl}, else its {@code default} entry. */
    static Optional<String> fromNetrc(String baseUrl, UnaryOperator<String> env) {
        String host;
        try {
            host = URI.create(baseUrl).getHost();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String named = env.apply("NETRC");
        Path file = named != null && !named.isBlank() ? Path.of(named) : Path.of(System.getProperty("user.home"), ".netrc");
        if (host == null || !Files.isRegularFile(file)) return Optional.empty();
        String[] tokens;
        try {
            tokens = withoutMacros(Files.readString(file)).trim().split("\\s+");
        } catch (IOException e) {
            return Optional.empty();
        }
        String[] match = null, fallback = null;
        for (int i = 0; i < tokens.length; i++) {
            boolean machine = tokens[i].equals("machine") && i + 1 < tokens.length;
            if (!machine && !tokens[i].equals("default")) continue;
            String[] entry = entry(tokens, machine ? i + 2 : i + 1);
            if (machine && match == null && tokens[i + 1].toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT))) match = entry;
            if (!machine && fallback == null) fallback = entry;
        }
        String[] found = match != null ? match : fallback;
        return found == null || found[0] == null || found[1] == null ? Optional.empty() : Optional.of(basic(found[0], found[1]));
    }

    /** {@code login} and {@code password} of the entry whose tokens start at {@code from}. */
    private static String[] entry(String[] tokens, int from) {
        String[] out = new String[2];
        for (int i = from; i + 1 < tokens.length && !tokens[i].equals("machine") && !tokens[i].equals("default"); i += 2) {
            if (tokens[i].equals("login")) out[0] = tokens[i + 1];
            else if (tokens[i].equals("password")) out[1] = tokens[i + 1];
        }
        return out;
    }

    /** The text without its {@code macdef} definitions (each runs to the next blank line). */
    private static String withoutMacros(String text) {
        StringBuilder out = new StringBuilder();
        boolean inMacro = false;
        for (String line : text.split("\n", -1)) {
            if (inMacro) {
                inMacro = !line.isBlank();
                continue;
            }
            if (line.trim().startsWith("macdef")) {
                inMacro = true;
                continue;
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }
}
