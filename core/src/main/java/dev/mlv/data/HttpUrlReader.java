package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.HttpURLConnection;
import java.util.List;
import java.util.Set;

/**
 * Files at {@code http(s)://} URLs: the version is the response's {@code ETag}, else its {@code Last-Modified} (with
 * {@code Content-Length}), asked with {@code HEAD}; a server that gives neither is read and hashed. Up to
 * {@value #MAX_REDIRECTS} redirects are followed, except from https to http. The JDK's {@link HttpURLConnection} reads
 * the body in the caller's buffer; its {@code HttpClient} hands it over in 16 KiB buffers through a queue between
 * threads, about four times slower on a fast link.
 */
final class HttpUrlReader implements UrlReader {
    private static final int CONNECT_TIMEOUT_MILLIS = 30_000;
    /** How long a read may wait for the next bytes (or the answer's head). */
    private static final int READ_TIMEOUT_MILLIS = 10 * 60_000;
    static final int MAX_REDIRECTS = 5;
    private static final long MAX_DISCARDED_BYTES = 64 * 1024;
    static final HttpUrlReader INSTANCE = new HttpUrlReader();

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
        HttpURLConnection head = send(url, "HEAD", true);
        if (head != null) {
            Version v = versionOf(head);
            discard(head);
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
        HttpURLConnection c = send(url, "GET", false);
        try {
            return new Opened(c.getInputStream(), versionOf(c));
        } catch (IOException e) {
            throw unreachable(url, e);
        }
    }

    @Override
    public List<Listed> list(String url) {
        return List.of(); // HTTP has no folders to list
    }

    private static Version versionOf(HttpURLConnection c) {
        long length = c.getContentLengthLong();
        return new Version(c.getHeaderField("ETag"), c.getHeaderField("Last-Modified"), length >= 0 ? length : null, null);
    }

    /**
     * Sends {@code method} to {@code url}, following redirects, and answers the connection once its status is 200; a
     * HEAD the server does not take gives null (when {@code optional}); any other failure is an error naming the URL.
     */
    private static HttpURLConnection send(String url, String method, boolean optional) {
        URI at = URI.create(url);
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection c;
            int status;
            try {
                c = (HttpURLConnection) at.toURL().openConnection();
                c.setRequestMethod(method);
                c.setInstanceFollowRedirects(false); // followed below: HttpURLConnection would not follow http to https
                c.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
                c.setReadTimeout(READ_TIMEOUT_MILLIS);
                status = c.getResponseCode();
            } catch (IOException e) {
                throw unreachable(url, e);
            }
            if (status == 200) return c;
            String location = c.getHeaderField("Location");
            discard(c);
            if (isRedirect(status) && location != null) {
                URI next = redirectTarget(url, at, location);
                if (redirects >= MAX_REDIRECTS) {
                    throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": more than " + MAX_REDIRECTS + " redirects");
                }
                at = next;
                continue;
            }
            if (optional && (status == 405 || status == 501 || status == 403)) return null;
            if (status == 404 || status == 410) throw MlvException.notFound("No file at " + url + " (HTTP " + status + ")");
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": HTTP " + status);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Where a redirect from {@code from} to {@code location} leads: http or https, never from https down to http. */
    private static URI redirectTarget(String url, URI from, String location) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": it redirects to an invalid URL '" + location + "'");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": it redirects to '" + location + "', not an http(s) URL");
        }
        if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            throw new MlvException(ErrorCode.INVALID_STATE, "Cannot read " + url + ": it redirects from https to plain http (" + next + ")");
        }
        return next;
    }

    /**
     * Reads and drops the body of an answer not taken, so that its connection can serve the next request; one of more
     * than {@value #MAX_DISCARDED_BYTES} bytes closes the connection instead.
     */
    private static void discard(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream() != null ? c.getErrorStream() : c.getInputStream()) {
            byte[] buf = new byte[8192];
            long read = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                if ((read += n) > MAX_DISCARDED_BYTES) {
                    c.disconnect();
                    return;
                }
            }
        } catch (IOException ignored) {
            // nothing to read from a refusal
        }
    }

    private static UncheckedIOException unreachable(String url, IOException e) {
        return new UncheckedIOException("Cannot reach " + url + ": " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
    }
}
