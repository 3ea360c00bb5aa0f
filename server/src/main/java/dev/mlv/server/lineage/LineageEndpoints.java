package dev.mlv.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.errors.MlvException;
import dev.mlv.lineage.LineageAssembler;
import dev.mlv.lineage.LineageJson;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.server.Endpoints;
import dev.mlv.server.ServerContext;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

/**
 * mlv's lineage endpoints:
 * <ul>
 *   <li>{@code GET /api/2.0/mlv/models/metadata?uri=models:/…} → one flat JSON record of the version
 *       ({@link LineageJson#metadata});</li>
 *   <li>{@code GET /api/2.0/mlv/models/lineage?uri=models:/…} → the tree version → files, run → datasets, code,
 *       params, metrics, environment, checkpoints ({@link LineageJson#tree}).</li>
 * </ul>
 * A malformed or {@code runs:/} URI is a 400 {@code INVALID_PARAMETER_VALUE}; an unknown model, version, stage holder
 * or alias a 404 {@code RESOURCE_DOES_NOT_EXIST}.
 */
public final class LineageEndpoints implements Endpoints {
    private final ServerContext ctx;
    private final LineageAssembler assembler;

    public LineageEndpoints(ServerContext ctx) {
        this.ctx = ctx;
        var metadata = ctx.metadata();
        ModelUriResolver resolver = new ModelUriResolver(metadata.registry(), metadata.tracking(), ctx.artifacts());
        this.assembler = new LineageAssembler(metadata.registry(), metadata.tracking(), ctx.artifacts(), resolver);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(MLV_API + "models/metadata", cx -> write(cx, LineageJson.metadata(assembler.assemble(uri(cx)))));
        routes.get(MLV_API + "models/lineage", cx -> write(cx, LineageJson.tree(assembler.assemble(uri(cx)))));
    }

    private static String uri(Context cx) {
        String uri = cx.queryParam("uri");
        if (uri == null || uri.isEmpty()) {
            throw MlvException.invalid("Missing value for required parameter 'uri'. "
                    + "See the API docs for more information about request parameters.");
        }
        return uri;
    }

    private void write(Context cx, JsonNode body) throws Exception {
        cx.contentType("application/json").result(ctx.json().writeValueAsString(body));
    }
}
