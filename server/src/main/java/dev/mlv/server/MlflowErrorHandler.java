package dev.mlv.server;

import dev.mlv.errors.ErrorCode;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Jetty's error pages in MLflow's error body: errors Jetty raises itself, before any route runs (a malformed request
 * line, an ambiguous URI, a header too large), answer {@code {"error_code": ..., "message": ...}} as JSON instead of
 * HTML, with no stack traces.
 */
final class MlflowErrorHandler extends ErrorHandler {

    MlflowErrorHandler() {
        setShowStacks(false);
        setShowCauses(false);
    }

    /** Every method gets the JSON body, not only GET/POST/HEAD as in Jetty's default. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        byte[] body = body(code, message).getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
        return ByteBuffer.wrap(body(status, reason).getBytes(StandardCharsets.UTF_8));
    }

    private static String body(int status, String message) {
        ErrorCode code = status == 400 ? ErrorCode.INVALID_PARAMETER_VALUE : MlvServer.codeFor(status);
        String text = message == null || message.isBlank() ? "HTTP " + status : message;
        return MlvServer.errorBody(code, status == 400 ? "Bad request: " + text : text);
    }
}
