package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.audit.AuditEvent;
import dev.mlv.audit.AuditVerification;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Move;
import dev.mlv.registry.PromotionGates;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.server.Endpoints;
import dev.mlv.server.MlflowRequest;
import dev.mlv.server.MlflowResponse;
import dev.mlv.server.ServerContext;
import dev.mlv.tracking.Page;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.List;

/**
 * mlv's registry extensions under {@code /api/2.0/mlv/} (JSON in, JSON out, MLflow error bodies):
 * <ul>
 *   <li>{@code GET registered-models/history?name=&[stage=|alias=]} → {@code {"moves":[…]}} newest first;</li>
 *   <li>{@code POST registered-models/rollback {"name","stage"|"alias","reason"}} → {@code {"model_version","move"}};</li>
 *   <li>{@code POST model-versions/promote} → {@code {"promoted","pending_approval","checks","model_version"}}; when the
 *       version recorded file digests, a last check re-hashes its files ({@link RegistryService#FILES_GATE});</li>
 *   <li>{@code POST model-versions/approve {"name","version","stage","reason"}} → {@code {"promoted":true,"model_version"}}
 *       (403 PERMISSION_DENIED for the requester); {@code GET model-versions/pending?name=} → {@code {"pending":[…]}};</li>
 *   <li>{@code GET model-versions/files?name=&version=} → {@code {"files":[{"path","size","sha256"}]}};</li>
 *   <li>{@code GET audit/events?model=&max_results=&page_token=} → {@code {"events":[…],"next_page_token"}} oldest first;
 *       {@code GET audit/verify} → {@code {"valid","events_checked","first_invalid_seq","problem"}};</li>
 *   <li>{@code GET models/resolve?uri=} → {@code {"name","version","source","download_uri","run_id","model_version",
 *       "logged_model":{"model_id","name"}}} for any model URI: a version's fields for a registered model, the logged
 *       model for {@code models:/<model_id>} (and for {@code runs:/<run>/<name>} when the run's model is one).</li>
 * </ul>
 */
public final class MlvRegistryEndpoints implements Endpoints {
    public static final int AUDIT_DEFAULT_MAX_RESULTS = 1000;
    public static final int AUDIT_MAX_RESULTS = 10_000;

    private final ServerContext ctx;
    private final RegistryStore store;
    private final RegistryService service;

    public MlvRegistryEndpoints(ServerContext ctx, RegistryService service) {
        this.ctx = ctx;
        this.store = ctx.metadata().registry();
        this.service = service;
    }

    @Override
    public void register(RoutesConfig r) {
        r.get(MLV_API + "registered-models/history", this::history);
        r.post(MLV_API + "registered-models/rollback", this::rollback);
        r.post(MLV_API + "model-versions/promote", this::promote);
        r.post(MLV_API + "model-versions/approve", this::approve);
        r.get(MLV_API + "model-versions/pending", this::pending);
        r.get(MLV_API + "model-versions/files", this::files);
        r.get(MLV_API + "audit/events", this::events);
        r.get(MLV_API + "audit/verify", this::verify);
        r.get(MLV_API + "models/resolve", this::resolve);
    }

    private MlflowRequest req(Context cx) {
        return RegistryEndpoints.req(cx, ctx.json());
    }

    /** {@code stage} or {@code alias}, exactly one (or neither when {@code optional}). */
    private record Key(String kind, String key) {
    }

    private static Key key(MlflowRequest q, boolean optional) {
        String stage = q.string("stage");
        String alias = q.string("alias");
        boolean hasStage = stage != null && !stage.isEmpty();
        boolean hasAlias = alias != null && !alias.isEmpty();
        if (hasStage && hasAlias) throw MlvException.invalid("Give either 'stage' or 'alias', not both");
        if (hasStage) return new Key(Move.STAGE, Stage.parse(stage).display());
        if (hasAlias) return new Key(Move.ALIAS, alias);
        if (optional) return new Key(null, null);
        throw MlvException.invalid("Missing value for required parameter 'stage' or 'alias'");
    }

    private void history(Context cx) {
        MlflowRequest q = req(cx);
        Key k = key(q, true);
        List<Move> moves = store.history(RegistryEndpoints.name(q), k.kind(), k.key());
        ObjectNode o = MlflowResponse.object();
        ArrayNode arr = o.putArray("moves");
        moves.forEach(m -> arr.add(RegistryJson.move(m)));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void rollback(Context cx) {
        MlflowRequest q = req(cx);
        Key k = key(q, false);
        RegistryStore.Rollback rb = store.rollback(RegistryEndpoints.name(q), k.kind(), k.key(), RequestUser.of(cx),
                q.string("reason"));
        ObjectNode o = MlflowResponse.object();
        o.set("model_version", RegistryJson.modelVersion(rb.modelVersion()));
        o.set("move", RegistryJson.move(rb.move()));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void promote(Context cx) {
        MlflowRequest q = req(cx);
        Stage stage = Stage.parse(q.requiredString("stage"));
        RegistryService.Promotion p = service.promote(RegistryEndpoints.name(q), q.requiredString("version"), stage,
                q.strings("requirements"), q.strings("require_better_than_current"), q.string("reason"),
                RegistryEndpoints.bool(q, "archive_existing_versions"), RequestUser.of(cx));
        ObjectNode o = MlflowResponse.object();
        o.put("promoted", p.promoted());
        o.put("pending_approval", p.pendingApproval());
        ArrayNode checks = o.putArray("checks");
        for (PromotionGates.Check c : p.checks()) {
            checks.addObject().put("gate", c.gate()).put("passed", c.passed()).put("detail", c.detail());
        }
        o.set("model_version", RegistryJson.modelVersion(p.modelVersion()));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void approve(Context cx) {
        MlflowRequest q = req(cx);
        Stage stage = Stage.parse(q.requiredString("stage"));
        ModelVersion v = service.approve(RegistryEndpoints.name(q), q.requiredString("version"), stage,
                RequestUser.of(cx), q.string("reason"));
        ObjectNode o = MlflowResponse.object();
        o.put("promoted", true);
        o.set("model_version", RegistryJson.modelVersion(v));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void pending(Context cx) {
        MlflowRequest q = req(cx);
        String name = q.string("name");
        ObjectNode o = MlflowResponse.object();
        ArrayNode arr = o.putArray("pending");
        store.pendingTransitions(name == null || name.isEmpty() ? null : name).forEach(p -> arr.add(RegistryJson.pending(p)));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void files(Context cx) {
        MlflowRequest q = req(cx);
        ObjectNode o = MlflowResponse.object();
        ArrayNode arr = o.putArray("files");
        store.getModelVersionFiles(RegistryEndpoints.name(q), q.requiredString("version")).forEach(f -> arr.add(RegistryJson.file(f)));
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void events(Context cx) {
        MlflowRequest q = req(cx);
        int max = RegistryEndpoints.maxResults(q, AUDIT_DEFAULT_MAX_RESULTS, AUDIT_MAX_RESULTS);
        String model = q.string("model");
        Page<AuditEvent> page = store.auditEvents(model == null || model.isEmpty() ? null : model, max, q.string("page_token"));
        ObjectNode o = MlflowResponse.object();
        ArrayNode arr = o.putArray("events");
        page.items().forEach(e -> arr.add(RegistryJson.auditEvent(e)));
        o.put("next_page_token", page.nextPageToken());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void verify(Context cx) {
        AuditVerification v = store.verifyAudit();
        ObjectNode o = MlflowResponse.object();
        o.put("valid", v.valid());
        o.put("events_checked", v.eventsChecked());
        if (v.firstInvalidSeq() == null) o.putNull("first_invalid_seq");
        else o.put("first_invalid_seq", v.firstInvalidSeq());
        o.put("problem", v.problem());
        MlflowResponse.send(cx, ctx.json(), o);
    }

    private void resolve(Context cx) {
        MlflowRequest q = req(cx);
        ModelUriResolver.Resolved r = service.resolver().resolve(q.requiredString("uri"));
        ObjectNode o = MlflowResponse.object();
        ModelVersion v = r.modelVersion();
        o.put("name", v == null ? null : v.name());
        o.put("version", v == null ? null : v.version());
        o.put("source", v == null ? null : v.source());
        o.put("download_uri", r.downloadUri());
        o.put("run_id", r.runId());
        if (v != null) o.set("model_version", RegistryJson.modelVersion(v));
        if (r.loggedModel() != null) {
            ObjectNode m = o.putObject("logged_model");
            m.put("model_id", r.loggedModel().modelId());
            m.put("name", r.loggedModel().name());
        }
        MlflowResponse.send(cx, ctx.json(), o);
    }
}
