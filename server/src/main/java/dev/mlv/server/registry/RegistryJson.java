package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.audit.AuditEvent;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelUri;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Move;
import dev.mlv.registry.PendingTransition;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.tracking.Tag;

import java.util.Map;

import static dev.mlv.server.MlflowResponse.put;
import static dev.mlv.server.MlflowResponse.putAll;

/** The JSON of registry objects: MLflow's proto-JSON for models and versions, mlv's shapes for moves and events. */
public final class RegistryJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryJson() {
    }

    public static ObjectNode modelVersion(ModelVersion v) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", v.name());
        o.put("version", v.version());
        o.put("creation_timestamp", v.creationTimestamp());
        o.put("last_updated_timestamp", v.lastUpdatedTimestamp());
        put(o, "user_id", v.userId());
        o.put("current_stage", v.currentStage().display());
        put(o, "description", v.description());
        put(o, "source", v.source());
        put(o, "run_id", v.runId());
        o.put("status", v.status());
        putAll(o, "tags", v.tags(), RegistryJson::tag);
        put(o, "run_link", v.runLink());
        putAll(o, "aliases", v.aliases(), a -> JsonNodeFactory.instance.textNode(a));
        put(o, "model_id", loggedModelId(v.source()));
        return o;
    }

    /** MLflow 3's {@code model_id} of a version: the logged model its source names ({@code models:/<model_id>}), else null. */
    static String loggedModelId(String source) {
        if (source == null || !source.regionMatches(true, 0, "models:/", 0, 8)) return null;
        try {
            ModelUri uri = ModelUri.parse(source);
            return uri.kind() == ModelUri.Kind.LOGGED_MODEL ? uri.modelId() : null;
        } catch (MlvException e) {
            return null;
        }
    }

    public static ObjectNode registeredModel(RegisteredModel m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", m.name());
        o.put("creation_timestamp", m.creationTimestamp());
        o.put("last_updated_timestamp", m.lastUpdatedTimestamp());
        put(o, "user_id", m.userId());
        put(o, "description", m.description());
        putAll(o, "latest_versions", m.latestVersions(), RegistryJson::modelVersion);
        putAll(o, "tags", m.tags(), RegistryJson::tag);
        putAll(o, "aliases", m.aliases().entrySet(), RegistryJson::alias);
        return o;
    }

    private static JsonNode alias(Map.Entry<String, String> e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("alias", e.getKey());
        o.put("version", e.getValue());
        return o;
    }

    public static ObjectNode tag(Tag t) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("key", t.key());
        put(o, "value", t.value());
        return o;
    }

    /** {@code {"name","version","kind","key","from_version","to_version","user","timestamp","reason"}}, nulls kept. */
    public static ObjectNode move(Move m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", m.name());
        o.put("version", m.toVersion() != null ? m.toVersion() : m.fromVersion());
        o.put("kind", m.kind());
        o.put("key", m.key());
        o.put("from_version", m.fromVersion());
        o.put("to_version", m.toVersion());
        o.put("user", m.user());
        o.put("timestamp", m.timestamp());
        o.put("reason", m.reason());
        return o;
    }

    public static ObjectNode auditEvent(AuditEvent e) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", e.seq());
        o.put("timestamp", e.timestamp());
        o.put("user", e.user());
        o.put("action", e.action());
        o.put("model", e.model());
        o.put("version", e.version());
        try {
            o.set("payload", JSON.readTree(e.payload()));
        } catch (Exception ex) {
            o.put("payload", e.payload());
        }
        o.put("prev_hash", e.prevHash());
        o.put("hash", e.hash());
        return o;
    }

    public static ObjectNode pending(PendingTransition p) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("name", p.name());
        o.put("version", p.version());
        o.put("stage", p.stage().display());
        o.put("archive_existing_versions", p.archiveExistingVersions());
        o.put("requested_by", p.requestedBy());
        o.put("requested_at", p.requestedAt());
        o.put("reason", p.reason());
        return o;
    }

    public static ObjectNode file(ModelFile f) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("path", f.path());
        o.put("size", f.size());
        o.put("sha256", f.sha256());
        return o;
    }
}
