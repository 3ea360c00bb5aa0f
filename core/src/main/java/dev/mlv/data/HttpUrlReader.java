package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Files at {@code http(s)://} URLs: the version is the response's {@code ETag}, else its {@code Last-Modified} (with
 * {@code Content-Length}), asked with {@code HEAD}; a server that gives neither is read and hashed. Redirects are
 * followed, except from https to http.
 */
final class HttpUrlReader implements UrlReader {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final HttpUrlReader INSTANCE = new HttpUrlReader();
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(TIMEOUT).build();

    private HttpUrlReader() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public void requireValid(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw MlvException.invalid("Invalid URL '" + url + "': " + e.getReason());
        }
        if (u.getHost() == null || u.getHost().isEmpty()) throw MlvException.invalid("Invalid URL '" + url + "': no host");
        if (u.getRawUserInfo() != null) {
            throw MlvException.invalid("URL '" + url.replace(u.getRawUserInfo() + "@", "***@") + "' holds credentials, which the "
                    + "pointer file would carry into git: serve the file without them");
        }
        if (u.getRawFragment() != null) throw MlvException.invalid("Invalid URL '" + url + "': a fragment (#…) names no file");
    }

    @Override
    public Version version(String url) {
        HttpResponse<Void> head = send(url, HttpRequest.newBuilder(URI.create(url)).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding(), true);
        if (head != null) {
            Version v = versionOf(head.headers());
            if (v.hasTag()) return v;
        }
        try (Opened o = open(url)) { // no HEAD, or nothing to name the version by: the bytes themselves
            if (o.version().hasTag()) return o.version();
            Hashing.Result r = Hashing.hash(o.body());
            return new Version(null, null, r.size(), r.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Opened open(String url) {
        HttpResponse<InputStream> r = send(url, HttpRequest.newBuilder(URI.create(url)).GET(), HttpResponse.BodyHandlers.ofInputStream(), false);
        return new Opened(r.body(), versionOf(r.headers()));
    }

    @Override
    public List<Listed> list(String url) {
        return List.of(); // HTTP has no folders to list
    }

    private static Version versionOf(HttpHeaders h) {
        long length = h.firstValueAsLong("Content-Length").orElse(-1);
        return new Version(h.firstValue("ETag").orElse(null), h.firstValue("Last-Modified").orElse(null), length >= 0 ? length : null, null);
    }

    /** Sends; a HEAD the server does not take gives null (when {@code optional}); any other failure is an error naming the URL. */
    private <T> HttpResponse<T> send(String url, HttpRequest.Builder req, HttpResponse.BodyHandler<T> body, boolean optional) {
        HttpResponse<T> r;
        try {
            r = http.send(req.timeout(Duration.ofMinutes(10)).build(), body);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reach " + url + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Interrupted while reading " + url);
        }
        int status = r.statusCode();
        if (status == 200) return r;
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to read from a refusal
            }
        }
        if (optional && (status == 405 || status == 501 || status == 403)) return null;
        if (status == 404 || status == 410) throw MlvException.notFound("No file at " + url + " (HTTP " + status + ")");
        throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": HTTP " + status);
    }
}
