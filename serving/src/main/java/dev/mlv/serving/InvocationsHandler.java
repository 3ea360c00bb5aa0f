package dev.mlv.serving;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * Answers {@code POST /invocations} directly on Jetty's core API, in front of Javalin's servlet: the scoring request is
 * the hot path, and going through the servlet layer and Javalin's per-request context, task list and lazy properties
 * cost as much CPU as parsing and scoring a single row. The answer is the same as the Javalin route gives (status,
 * JSON body, content type, model name and version headers, metrics, access log line); every other request, and any
 * path this handler does not recognise, goes on to Javalin unchanged; so do requests without a Content-Length, with
 * one over the limit or with an unsupported content type, which are answered before their body is read.
 */
final class InvocationsHandler extends Handler.Wrapper {
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");

    /** The version headers of the model last answered for, encoded once per model. */
    private record Headers(LoadedModel model, HttpField name, HttpField version) {
    }

    private final ScoringServer server;
    private volatile Headers headers;

    InvocationsHandler(ScoringServer server) {
        this.server = server;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!HttpMethod.POST.is(request.getMethod())) return super.handle(request, response, callback);
        String path = Request.getPathInContext(request);
        if (!path.equals("/invocations") && !path.equals("/invocations/")) return super.handle(request, response, callback);
        long start = System.nanoTime();
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        long length = request.getLength();
        if (length < 0 || length > server.maxBodyBytes() || !ScoringServer.acceptsContentType(type)) {
            // answered before the body is read (413, 415) or read in chunks: Javalin's route, whose servlet layer
            // deals with the unread rest of the body as it always has
            return super.handle(request, response, callback);
        }
        ScoringServer.Answer a = server.score(type, length, Content.Source.asInputStream(request));
        response.setStatus(a.status());
        HttpFields.Mutable h = response.getHeaders();
        h.put(JSON_TYPE);
        if (a.model() != null) {
            Headers hs = headers;
            if (hs == null || hs.model() != a.model()) {
                headers = hs = new Headers(a.model(), new PreEncodedHttpField(ScoringServer.NAME_HEADER, a.model().name()),
                        new PreEncodedHttpField(ScoringServer.VERSION_HEADER, a.model().version()));
            }
            h.put(hs.name());
            h.put(hs.version());
        }
        h.put(HttpHeader.CONTENT_LENGTH, a.body().length);
        response.write(true, ByteBuffer.wrap(a.body()), callback);
        if (ScoringServer.ACCESS.isInfoEnabled()) {
            ScoringServer.ACCESS.info("{} {} {} {}ms", request.getMethod(), path, a.status(),
                    ScoringServer.tenths((System.nanoTime() - start) / 1e6f));
        }
        return true;
    }
}
