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
 * Answers {@code POST /invocations} (and the {@code GET /ping} and {@code /health} probes once a model is loaded)
 * directly on Jetty's core API, in front of Javalin's servlet: the scoring request is
 * the hot path, and going through the servlet layer and Javalin's per-request context, task list and lazy properties
 * cost as much CPU as parsing and scoring a single row. The answer is the same as the Javalin route gives (status,
 * JSON body, content type, model name and version headers, metrics, access log line); every other request, and any
 * path this handler does not recognise, goes on to Javalin unchanged; so do requests without a Content-Length, with
 * one over the limit or with an unsupported content type, which are answered before their body is read.
 */
final class InvocationsHandler extends Handler.Wrapper {
    private static final HttpField JSON_TYPE = new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, "application/json");
    private static final byte[] PING_BODY = {'\n'};

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
        String path = Request.getPathInContext(request);
        long start = System.nanoTime();
        if (HttpMethod.GET.is(request.getMethod()) && (path.equals("/ping") || path.equals("/health"))) {
            // the health probes take the same lean path, so /ping and /invocations compare like with like; before a
            // model is loaded, Javalin's route gives MLflow's 404
            LoadedModel m = server.current();
            if (m == null) return super.handle(request, response, callback);
            answer(request, response, callback, path, start, new ScoringServer.Answer(200, PING_BODY, m));
            return true;
        }
        if (!HttpMethod.POST.is(request.getMethod())) return super.handle(request, response, callback);
        if (!path.equals("/invocations") && !path.equals("/invocations/")) return super.handle(request, response, callback);
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        long length = request.getLength();
        if (length < 0 || length > server.maxBodyBytes() || !ScoringServer.acceptsContentType(type)) {
            // answered before the body is read (413, 415) or read in chunks: Javalin's route, whose servlet layer
            // deals with the unread rest of the body as it always has
            return super.handle(request, response, callback);
        }
        answer(request, response, callback, path, start, server.score(type, length, Content.Source.asInputStream(request)));
        return true;
    }

    private void answer(Request request, Response response, Callback callback, String path, long start, ScoringServer.Answer a) {
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
    }
}
