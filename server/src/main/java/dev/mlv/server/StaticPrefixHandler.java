package dev.mlv.server;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.server.security.BrowserSecurity;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Serves everything under a path prefix, as {@code mlflow server --static-prefix /mlflow} does behind a reverse proxy
 * that forwards a sub-path: {@code /mlflow/api/2.0/mlflow/…}, {@code /mlflow/ui}, {@code /mlflow/health}. The prefix
 * is cut from the raw request path before anything else sees the request, so every route, check and validator works
 * on the path it always did; a request outside the prefix is MLflow's 404 {@code ENDPOINT_NOT_FOUND}.
 */
final class StaticPrefixHandler extends Handler.Wrapper {
    private final String prefix;

    StaticPrefixHandler(String prefix) {
        this.prefix = prefix;
    }

    /**
     * A prefix as given to {@code --static-prefix}: {@code /} and path characters ({@code A-Z a-z 0-9 - . _ ~}),
     * starting with {@code /}, with no empty, {@code .} or {@code ..} segment; a trailing {@code /} is dropped. Null or
     * empty (or {@code /} alone) is no prefix: null is returned.
     */
    static String normalize(String given) {
        if (given == null || given.isBlank()) return null;
        String p = given.trim();
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        if (p.equals("/")) return null;
        boolean ok = p.startsWith("/") && p.substring(1).matches("[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*");
        if (ok) for (String segment : p.substring(1).split("/")) ok &= !segment.equals(".") && !segment.equals("..");
        if (!ok) {
            throw MlvException.invalid("Invalid static prefix '" + given + "': use a path such as /mlflow (letters, digits, "
                    + "'-', '.', '_', '~' and '/', no '.' or '..' segment)");
        }
        return p;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        HttpURI uri = request.getHttpURI();
        String path = uri.getPath(); // raw: still percent-encoded
        // inside the prefix both as sent and as resolved: '/p/../x' (or '/p/%2e%2e/x') is '/x', outside
        if (under(path) && under(uri.getCanonicalPath())) {
            String rest = path.length() == prefix.length() ? "/" : path.substring(prefix.length());
            HttpURI inside;
            try {
                inside = HttpURI.build(uri).path(rest).asImmutable();
            } catch (IllegalArgumentException e) { // '..' climbing above the prefix on the way: never a real path
                inside = null;
            }
            if (inside == null || inside.getCanonicalPath() == null) {
                return error(response, callback, ErrorCode.INVALID_PARAMETER_VALUE, "Invalid path '" + printable(path) + "': '..' segment");
            }
            HttpURI stripped = inside;
            return super.handle(new Request.Wrapper(request) {
                @Override
                public HttpURI getHttpURI() {
                    return stripped;
                }
            }, response, callback);
        }
        return error(response, callback, ErrorCode.ENDPOINT_NOT_FOUND, "No endpoint " + request.getMethod() + " "
                + printable(path) + ": this server answers under " + prefix + "/");
    }

    private static boolean error(Response response, Callback callback, ErrorCode code, String message) {
        response.setStatus(code.httpStatus());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(MlvServer.errorBody(code, message).getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private boolean under(String path) {
        return path != null && path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }

    private static String printable(String path) {
        return BrowserSecurity.printable(path, 200);
    }
}
