package dev.mlv.store.jdbc;

import dev.mlv.audit.AuditChain;
import dev.mlv.audit.AuditEvent;
import dev.mlv.audit.AuditVerification;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Move;
import dev.mlv.registry.NewModelVersion;
import dev.mlv.registry.PendingTransition;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.registry.RegistryFilter;
import dev.mlv.registry.RegistryRules;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Tag;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;
import dev.mlv.webhooks.WebhookEvent;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

import static dev.mlv.webhooks.WebhookEvent.data;

/**
 * {@link RegistryStore} on SQLite or PostgreSQL (schema {@code V2_0__registry.sql}). Every mutation runs in one
 * transaction that first updates the {@code registry_lock} row (serializing writers across replicas: a row lock on
 * PostgreSQL, the write lock up front on SQLite), then changes the data, records stage/alias moves by comparing what
 * each tracked stage and alias resolved to before and after, and appends its audit event.
 */
public final class JdbcRegistryStore implements RegistryStore {
    private static final List<Stage> TRACKED_STAGES = List.of(Stage.STAGING, Stage.PRODUCTION);

    private final Database db;
    private final LongSupplier clock;
    private final JdbcWebhooks webhooks;

    public JdbcRegistryStore(Database db) {
        this(db, System::currentTimeMillis);
    }

    public JdbcRegistryStore(Database db, LongSupplier clock) {
        this.db = db;
        this.clock = clock;
        this.webhooks = new JdbcWebhooks(this, db, clock);
    }

    // ================================================================== registered models

    @Override
    public RegisteredModel createRegisteredModel(String name, List<Tag> tags, String description, String user) {
        RegistryRules.name(name);
        RegistryRules.description(description);
        List<Tag> ts = tags == null ? List.of() : tags;
        for (Tag t : ts) RegistryRules.tag(t.key(), t.value());
        return write(c -> {
            Long existing = queryLong(c, "SELECT id FROM registered_models WHERE name_key = ?", RegistryRules.nameKey(name));
            if (existing != null) {
                String other = queryString(c, "SELECT name FROM registered_models WHERE id = ?", existing);
                throw MlvException.alreadyExists("Registered Model (name=" + name + ") already exists."
                        + (other.equals(name) ? "" : " It collides with the existing model '" + other + "'."));
            }
            long now = clock.getAsLong();
            long id = nextId(c, "registered_models");
            update(c, "INSERT INTO registered_models (id, name, name_key, creation_time, last_updated_time, user_id, "
                    + "description, next_version) VALUES (?, ?, ?, ?, ?, ?, ?, 1)", id, name, RegistryRules.nameKey(name),
                    now, now, user, description);
            for (Tag t : ts) {
                update(c, "INSERT INTO registered_model_tags (model_id, tag_key, tag_value) VALUES (?, ?, ?)", id, t.key(), t.value());
            }
            Map<String, Object> p = new TreeMap<>();
            p.put("description", description);
            p.put("tags", tagMap(ts));
            audit(c, user, "registered_model.create", name, null, p, now);
            webhooks.enqueue(c, WebhookEvent.REGISTERED_MODEL_CREATED, data("name", name, "tags", tagMap(ts),
                    "description", description), now);
            return loadModel(c, id);
        });
    }

    @Override
    public RegisteredModel getRegisteredModel(String name) {
        return read(c -> loadModel(c, modelId(c, name)));
    }

    @Override
    public RegisteredModel renameRegisteredModel(String name, String newName, String user) {
        RegistryRules.name(newName);
        return write(c -> {
            long id = modelId(c, name);
            Long other = queryLong(c, "SELECT id FROM registered_models WHERE name_key = ?", RegistryRules.nameKey(newName));
            if (other != null && other != id) {
                throw MlvException.alreadyExists("Registered Model (name=" + newName + ") already exists.");
            }
            long now = clock.getAsLong();
            update(c, "UPDATE registered_models SET name = ?, name_key = ?, last_updated_time = ? WHERE id = ?",
                    newName, RegistryRules.nameKey(newName), now, id);
            audit(c, user, "registered_model.rename", newName, null, Map.of("from", name, "to", newName), now);
            return loadModel(c, id);
        });
    }

    @Override
    public RegisteredModel updateRegisteredModel(String name, String description, String user) {
        RegistryRules.description(description);
        return write(c -> {
            long id = modelId(c, name);
            long now = clock.getAsLong();
            update(c, "UPDATE registered_models SET description = ?, last_updated_time = ? WHERE id = ?", description, now, id);
            Map<String, Object> p = new TreeMap<>();
            p.put("description", description);
            audit(c, user, "registered_model.update", name, null, p, now);
            return loadModel(c, id);
        });
    }

    @Override
    public void deleteRegisteredModel(String name, String user) {
        write(c -> {
            long id = modelId(c, name);
            long now = clock.getAsLong();
            Map<String, Long> before = snapshot(c, id);
            for (String t : List.of("registered_model_tags", "model_versions", "model_version_tags", "model_aliases",
                    "model_version_files", "pending_transitions")) {
                update(c, "DELETE FROM " + t + " WHERE model_id = ?", id);
            }
            recordMoves(c, id, name, before, Map.of(), user, now, "registered model deleted");
            update(c, "DELETE FROM registered_models WHERE id = ?", id);
            audit(c, user, "registered_model.delete", name, null, Map.of(), now);
            return null;
        });
    }

    @Override
    public Page<RegisteredModel> searchRegisteredModels(String filter, int maxResults, List<String> orderBy, String pageToken) {
        List<RegistryFilter.Clause> clauses = RegistryFilter.parseModelFilter(filter);
        String order = modelOrder(orderBy);
        int offset = decodeToken(pageToken);
        StringBuilder sql = new StringBuilder("SELECT rm.id FROM registered_models rm WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        for (RegistryFilter.Clause cl : clauses) {
            if (cl.field().equals("tag")) {
                sql.append(" AND EXISTS (SELECT 1 FROM registered_model_tags t WHERE t.model_id = rm.id AND t.tag_key = ? AND ")
                        .append(compare("t.tag_value", cl.op())).append(")");
                args.add(cl.tagKey());
            } else {
                sql.append(" AND ").append(compare("rm.name", cl.op()));
            }
            args.add(cl.value());
        }
        sql.append(" ORDER BY ").append(order).append(" LIMIT ? OFFSET ?");
        args.add(maxResults + 1);
        args.add(offset);
        return read(c -> {
            List<Long> ids = queryLongs(c, sql.toString(), args.toArray());
            List<RegisteredModel> out = new ArrayList<>();
            for (int i = 0; i < Math.min(maxResults, ids.size()); i++) out.add(loadModel(c, ids.get(i)));
            return new Page<>(out, ids.size() > maxResults ? encodeToken(offset + maxResults) : null);
        });
    }

    private static String modelOrder(List<String> orderBy) {
        List<String> parts = new ArrayList<>();
        boolean byName = false;
        for (String o : orderBy == null ? List.<String>of() : orderBy) {
            if (o == null || o.isBlank()) continue;
            String[] w = o.trim().split("\\s+");
            String dir = direction(o, w);
            String col = switch (w[0].toLowerCase(Locale.ROOT)) {
                case "name" -> { byName = true; yield "rm.name"; }
                case "creation_timestamp", "timestamp" -> "rm.creation_time";
                case "last_updated_timestamp" -> "rm.last_updated_time";
                default -> throw MlvException.invalid("Invalid order_by clause '" + o + "': expected name, creation_timestamp, "
                        + "timestamp or last_updated_timestamp, optionally followed by ASC or DESC");
            };
            parts.add(col + " " + dir);
        }
        if (!byName) parts.add("rm.name ASC");
        return String.join(", ", parts);
    }

    private static String direction(String o, String[] w) {
        if (w.length == 1) return "ASC";
        if (w.length == 2 && (w[1].equalsIgnoreCase("asc") || w[1].equalsIgnoreCase("desc"))) return w[1].toUpperCase(Locale.ROOT);
        throw MlvException.invalid("Invalid order_by clause '" + o + "': expected '<key> [ASC|DESC]'");
    }

    private static String compare(String column, String op) {
        return switch (op) {
            case "=" -> column + " = ?";
            case "!=" -> column + " <> ?";
            case "LIKE" -> column + " LIKE ? ESCAPE '\\'"; // case-sensitive: the SQLite pool enables case_sensitive_like
            case "ILIKE" -> "LOWER(" + column + ") LIKE LOWER(?) ESCAPE '\\'";
            case ">", ">=", "<", "<=" -> column + " " + op + " ?";
            default -> throw MlvException.invalid("Unsupported comparator " + op);
        };
    }

    @Override
    public List<ModelVersion> getLatestVersions(String name, List<Stage> stages) {
        return read(c -> {
            long id = modelId(c, name);
            return latestVersions(c, id, stages == null || stages.isEmpty() ? List.of(Stage.values()) : stages);
        });
    }

    private List<ModelVersion> latestVersions(Connection c, long id, List<Stage> stages) throws SQLException {
        List<ModelVersion> out = new ArrayList<>();
        for (Stage s : stages) {
            Long v = queryLong(c, "SELECT MAX(version) FROM model_versions WHERE model_id = ? AND current_stage = ?", id, s.display());
            if (v != null) out.add(loadVersion(c, id, v));
        }
        return out;
    }

    @Override
    public void setRegisteredModelTag(String name, Tag tag, String user) {
        RegistryRules.tag(tag.key(), tag.value());
        write(c -> {
            long id = modelId(c, name);
            long now = clock.getAsLong();
            update(c, "DELETE FROM registered_model_tags WHERE model_id = ? AND tag_key = ?", id, tag.key());
            update(c, "INSERT INTO registered_model_tags (model_id, tag_key, tag_value) VALUES (?, ?, ?)", id, tag.key(), tag.value());
            update(c, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", now, id);
            Map<String, Object> p = new TreeMap<>();
            p.put("key", tag.key());
            p.put("value", tag.value());
            audit(c, user, "registered_model.set_tag", name, null, p, now);
            return null;
        });
    }

    @Override
    public void deleteRegisteredModelTag(String name, String key, String user) {
        write(c -> {
            long id = modelId(c, name);
            long now = clock.getAsLong();
            if (update(c, "DELETE FROM registered_model_tags WHERE model_id = ? AND tag_key = ?", id, key) == 0) {
                throw MlvException.notFound("No tag with name: " + key + " in registered model " + name + ".");
            }
            audit(c, user, "registered_model.delete_tag", name, null, Map.of("key", key), now);
            return null;
        });
    }

    // ================================================================== aliases

    @Override
    public void setAlias(String name, String alias, String version, String user, String reason) {
        RegistryRules.alias(alias);
        RegistryRules.version(version);
        write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            Map<String, Long> before = snapshot(c, id);
            update(c, "DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", id, alias);
            update(c, "INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)", id, alias, v);
            recordMoves(c, id, name, before, snapshot(c, id), user, now, reason);
            Map<String, Object> p = new TreeMap<>();
            p.put("alias", alias);
            p.put("from", before.get(aliasKey(alias)) == null ? null : before.get(aliasKey(alias)).toString());
            p.put("to", version);
            p.put("reason", reason);
            audit(c, user, "registered_model.set_alias", name, version, p, now);
            webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_ALIAS_CREATED, data("name", name, "alias", alias,
                    "version", Long.toString(v)), now);
            return null;
        });
    }

    @Override
    public void deleteAlias(String name, String alias, String user, String reason) {
        write(c -> {
            long id = modelId(c, name);
            long now = clock.getAsLong();
            Map<String, Long> before = snapshot(c, id);
            Long was = before.get(aliasKey(alias));
            if (was == null) throw MlvException.notFound("Registered model alias " + alias + " not found.");
            update(c, "DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", id, alias);
            recordMoves(c, id, name, before, snapshot(c, id), user, now, reason);
            Map<String, Object> p = new TreeMap<>();
            p.put("alias", alias);
            p.put("from", was.toString());
            p.put("to", null);
            p.put("reason", reason);
            audit(c, user, "registered_model.delete_alias", name, was.toString(), p, now);
            webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_ALIAS_DELETED, data("name", name, "alias", alias), now);
            return null;
        });
    }

    @Override
    public ModelVersion getModelVersionByAlias(String name, String alias) {
        return read(c -> {
            long id = modelId(c, name);
            Long v = queryLong(c, "SELECT version FROM model_aliases WHERE model_id = ? AND alias = ?", id, alias);
            if (v == null) throw MlvException.notFound("Registered model alias " + alias + " not found.");
            return loadVersion(c, id, v);
        });
    }

    // ================================================================== model versions

    @Override
    public ModelVersion createModelVersion(NewModelVersion spec, String user) {
        if (spec.source() == null || spec.source().isEmpty()) throw MlvException.invalid("Missing value for required parameter 'source'");
        RegistryRules.description(spec.description());
        for (Tag t : spec.tags()) RegistryRules.tag(t.key(), t.value());
        return write(c -> {
            long id = modelId(c, spec.name());
            long v = queryLong(c, "SELECT next_version FROM registered_models WHERE id = ?", id);
            long now = clock.getAsLong();
            update(c, "INSERT INTO model_versions (model_id, version, creation_time, last_updated_time, user_id, current_stage, "
                            + "description, source, run_id, run_link, status, storage_location) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id, v, now, now, user, Stage.NONE.display(), spec.description(), spec.source(), spec.runId(),
                    spec.runLink(), ModelVersion.READY, spec.storageLocation());
            for (Tag t : spec.tags()) {
                update(c, "INSERT INTO model_version_tags (model_id, version, tag_key, tag_value) VALUES (?, ?, ?, ?)",
                        id, v, t.key(), t.value());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO model_version_files (model_id, version, path, size, sha256) VALUES (?, ?, ?, ?, ?)")) {
                for (ModelFile f : spec.files()) {
                    ps.setLong(1, id);
                    ps.setLong(2, v);
                    ps.setString(3, f.path());
                    ps.setLong(4, f.size());
                    ps.setString(5, f.sha256());
                    ps.addBatch();
                }
                if (!spec.files().isEmpty()) ps.executeBatch();
            }
            update(c, "UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE id = ?", v + 1, now, id);
            Map<String, Object> p = new TreeMap<>();
            p.put("source", spec.source());
            p.put("run_id", spec.runId());
            p.put("tags", tagMap(spec.tags()));
            Map<String, String> digests = new TreeMap<>();
            for (ModelFile f : spec.files()) digests.put(f.path(), f.sha256());
            p.put("files", digests);
            audit(c, user, "model_version.create", spec.name(), Long.toString(v), p, now);
            webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_CREATED, data("name", spec.name(), "version", Long.toString(v),
                    "source", spec.source(), "run_id", spec.runId(), "tags", tagMap(spec.tags()),
                    "description", spec.description()), now);
            return loadVersion(c, id, v);
        });
    }

    @Override
    public ModelVersion getModelVersion(String name, String version) {
        RegistryRules.version(version);
        return read(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            return loadVersion(c, id, v);
        });
    }

    @Override
    public ModelVersion updateModelVersion(String name, String version, String description, String user) {
        RegistryRules.version(version);
        RegistryRules.description(description);
        return write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            update(c, "UPDATE model_versions SET description = ?, last_updated_time = ? WHERE model_id = ? AND version = ?",
                    description, now, id, v);
            Map<String, Object> p = new TreeMap<>();
            p.put("description", description);
            audit(c, user, "model_version.update", name, version, p, now);
            return loadVersion(c, id, v);
        });
    }

    @Override
    public void deleteModelVersion(String name, String version, String user) {
        RegistryRules.version(version);
        write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            Map<String, Long> before = snapshot(c, id);
            for (String t : List.of("model_versions", "model_version_tags", "model_aliases", "model_version_files",
                    "pending_transitions")) {
                update(c, "DELETE FROM " + t + " WHERE model_id = ? AND version = ?", id, v);
            }
            update(c, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", now, id);
            recordMoves(c, id, name, before, snapshot(c, id), user, now, "model version " + v + " deleted");
            audit(c, user, "model_version.delete", name, version, Map.of(), now);
            return null;
        });
    }

    @Override
    public Page<ModelVersion> searchModelVersions(String filter, int maxResults, List<String> orderBy, String pageToken) {
        List<RegistryFilter.Clause> clauses = RegistryFilter.parseVersionFilter(filter);
        int offset = decodeToken(pageToken);
        StringBuilder sql = new StringBuilder(
                "SELECT mv.model_id, mv.version FROM model_versions mv JOIN registered_models rm ON rm.id = mv.model_id WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        for (RegistryFilter.Clause cl : clauses) {
            switch (cl.field()) {
                case "tag" -> {
                    sql.append(" AND EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_id = mv.model_id AND t.version = mv.version"
                            + " AND t.tag_key = ? AND ").append(compare("t.tag_value", cl.op())).append(")");
                    args.add(cl.tagKey());
                    args.add(cl.value());
                }
                case "name" -> {
                    sql.append(" AND ").append(compare("rm.name", cl.op()));
                    args.add(cl.value());
                }
                case "source_path" -> {
                    sql.append(" AND ").append(compare("mv.source", cl.op()));
                    args.add(cl.value());
                }
                case "version_number" -> {
                    sql.append(" AND ").append(compare("mv.version", cl.op()));
                    args.add(Long.parseLong(cl.value()));
                }
                case "run_id" -> {
                    if (cl.op().endsWith("IN")) {
                        sql.append(" AND mv.run_id ").append(cl.op().equals("IN") ? "IN (" : "NOT IN (")
                                .append(String.join(", ", java.util.Collections.nCopies(cl.values().size(), "?"))).append(")");
                        args.addAll(cl.values());
                    } else {
                        sql.append(" AND ").append(compare("mv.run_id", cl.op()));
                        args.add(cl.value());
                    }
                }
                default -> throw MlvException.invalid("Unsupported filter key " + cl.field());
            }
        }
        sql.append(" ORDER BY ").append(versionOrder(orderBy)).append(" LIMIT ? OFFSET ?");
        args.add(maxResults + 1);
        args.add(offset);
        return read(c -> {
            List<long[]> keys = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) keys.add(new long[]{rs.getLong(1), rs.getLong(2)});
            }
            List<ModelVersion> out = new ArrayList<>();
            for (int i = 0; i < Math.min(maxResults, keys.size()); i++) out.add(loadVersion(c, keys.get(i)[0], keys.get(i)[1]));
            return new Page<>(out, keys.size() > maxResults ? encodeToken(offset + maxResults) : null);
        });
    }

    private static String versionOrder(List<String> orderBy) {
        List<String> parts = new ArrayList<>();
        for (String o : orderBy == null ? List.<String>of() : orderBy) {
            if (o == null || o.isBlank()) continue;
            String[] w = o.trim().split("\\s+");
            String dir = direction(o, w);
            String col = switch (w[0].toLowerCase(Locale.ROOT)) {
                case "name" -> "rm.name";
                case "version_number" -> "mv.version";
                case "creation_timestamp", "timestamp" -> "mv.creation_time";
                case "last_updated_timestamp" -> "mv.last_updated_time";
                default -> throw MlvException.invalid("Invalid order_by clause '" + o + "': expected name, version_number, "
                        + "creation_timestamp or last_updated_timestamp, optionally followed by ASC or DESC");
            };
            parts.add(col + " " + dir);
        }
        parts.add("rm.name ASC");
        parts.add("mv.version DESC");
        return String.join(", ", parts);
    }

    @Override
    public void setModelVersionTag(String name, String version, Tag tag, String user) {
        RegistryRules.version(version);
        RegistryRules.tag(tag.key(), tag.value());
        write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            update(c, "DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND tag_key = ?", id, v, tag.key());
            update(c, "INSERT INTO model_version_tags (model_id, version, tag_key, tag_value) VALUES (?, ?, ?, ?)",
                    id, v, tag.key(), tag.value());
            update(c, "UPDATE model_versions SET last_updated_time = ? WHERE model_id = ? AND version = ?", now, id, v);
            Map<String, Object> p = new TreeMap<>();
            p.put("key", tag.key());
            p.put("value", tag.value());
            audit(c, user, "model_version.set_tag", name, version, p, now);
            webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_TAG_SET, data("name", name, "version", Long.toString(v),
                    "key", tag.key(), "value", tag.value()), now);
            return null;
        });
    }

    @Override
    public void deleteModelVersionTag(String name, String version, String key, String user) {
        RegistryRules.version(version);
        write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            if (update(c, "DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND tag_key = ?", id, v, key) == 0) {
                throw MlvException.notFound("No tag with name: " + key + " in model version " + name + " version " + version + ".");
            }
            audit(c, user, "model_version.delete_tag", name, version, Map.of("key", key), now);
            webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_TAG_DELETED, data("name", name, "version", Long.toString(v),
                    "key", key), now);
            return null;
        });
    }

    @Override
    public ModelVersion transitionStage(String name, String version, Stage stage, boolean archiveExisting, String user,
                                       String reason) {
        RegistryRules.version(version);
        Objects.requireNonNull(stage, "stage");
        return write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            return transition(c, id, name, v, stage, archiveExisting, user, reason, "model_version.transition_stage", null);
        });
    }

    private ModelVersion transition(Connection c, long id, String name, long v, Stage stage, boolean archiveExisting,
                                    String user, String reason, String action, Map<String, Object> extra) throws SQLException {
        long now = clock.getAsLong();
        String from = queryString(c, "SELECT current_stage FROM model_versions WHERE model_id = ? AND version = ?", id, v);
        Map<String, Long> before = snapshot(c, id);
        List<String> archived = new ArrayList<>();
        if (archiveExisting && (stage == Stage.STAGING || stage == Stage.PRODUCTION)) {
            for (Long other : queryLongs(c, "SELECT version FROM model_versions WHERE model_id = ? AND current_stage = ? "
                    + "AND version <> ? ORDER BY version", id, stage.display(), v)) {
                setStage(c, id, other, Stage.ARCHIVED.display(), now);
                archived.add(other.toString());
            }
        }
        setStage(c, id, v, stage.display(), now);
        update(c, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", now, id);
        recordMoves(c, id, name, before, snapshot(c, id), user, now, reason);
        Map<String, Object> p = new TreeMap<>();
        p.put("from", from);
        p.put("to", stage.display());
        p.put("reason", reason);
        p.put("archive_existing_versions", archiveExisting);
        p.put("archived_versions", archived);
        if (extra != null) p.putAll(extra);
        audit(c, user, action, name, Long.toString(v), p, now);
        return loadVersion(c, id, v);
    }

    @Override
    public List<ModelFile> getModelVersionFiles(String name, String version) {
        RegistryRules.version(version);
        return read(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            List<ModelFile> out = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, "SELECT path, size, sha256 FROM model_version_files WHERE model_id = ? "
                    + "AND version = ? ORDER BY path", id, v); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new ModelFile(rs.getString(1), rs.getLong(2), rs.getString(3)));
            }
            return out;
        });
    }

    // ================================================================== history and rollback

    @Override
    public List<Move> history(String name, String kind, String key) {
        return read(c -> moves(c, modelId(c, name), kind, key, Integer.MAX_VALUE));
    }

    private List<Move> moves(Connection c, long id, String kind, String key, int limit) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT model_name, kind, move_key, from_version, to_version, user_id, move_time, "
                + "reason FROM registry_moves WHERE model_id = ?");
        List<Object> args = new ArrayList<>(List.of(id));
        if (kind != null) {
            sql.append(" AND kind = ?");
            args.add(kind);
        }
        if (key != null) {
            sql.append(" AND move_key = ?");
            args.add(key);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        List<Move> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql.toString(), args.toArray()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Move(rs.getString(1), rs.getString(2), rs.getString(3), versionString(rs, 4),
                        versionString(rs, 5), rs.getString(6), rs.getLong(7), rs.getString(8)));
            }
        }
        return out;
    }

    private static String versionString(ResultSet rs, int col) throws SQLException {
        long v = rs.getLong(col);
        return rs.wasNull() ? null : Long.toString(v);
    }

    @Override
    public Rollback rollback(String name, String kind, String key, String user, String reason) {
        String k;
        if (Move.STAGE.equals(kind)) {
            Stage st = Stage.parse(key);
            if (!TRACKED_STAGES.contains(st)) {
                throw MlvException.invalid("Only Staging and Production have a move history; cannot roll back " + st.display());
            }
            k = st.display();
        } else if (Move.ALIAS.equals(kind)) {
            k = RegistryRules.alias(key);
        } else {
            throw MlvException.invalid("Rollback needs a stage or an alias");
        }
        return write(c -> {
            long id = modelId(c, name);
            List<Move> last = moves(c, id, kind, k, 1);
            String what = (kind.equals(Move.STAGE) ? "stage " : "alias ") + k;
            if (last.isEmpty()) {
                throw MlvException.invalid("Nothing to roll back to: " + what + " of model '" + name + "' has never moved.");
            }
            Move m = last.get(0);
            if (m.fromVersion() == null) {
                throw MlvException.invalid("Nothing to roll back to: before its last move (to version " + m.toVersion()
                        + ") no version held " + what + " of model '" + name + "'.");
            }
            long target = Long.parseLong(m.fromVersion());
            if (queryLong(c, "SELECT version FROM model_versions WHERE model_id = ? AND version = ?", id, target) == null) {
                throw MlvException.invalid("Cannot roll back " + what + " of model '" + name + "': version " + target
                        + " that held it before has been deleted.");
            }
            long now = clock.getAsLong();
            Map<String, Long> before = snapshot(c, id);
            Long current = before.get(kind.equals(Move.STAGE) ? stageKey(k) : aliasKey(k));
            if (kind.equals(Move.STAGE)) {
                String targetStage = queryString(c, "SELECT current_stage FROM model_versions WHERE model_id = ? AND version = ?", id, target);
                if (current != null && current != target) {
                    String currentGoesTo = targetStage.equals(k) ? Stage.ARCHIVED.display() : targetStage;
                    setStage(c, id, current, currentGoesTo, now);
                }
                setStage(c, id, target, k, now);
            } else {
                update(c, "DELETE FROM model_aliases WHERE model_id = ? AND alias = ?", id, k);
                update(c, "INSERT INTO model_aliases (model_id, alias, version) VALUES (?, ?, ?)", id, k, target);
            }
            update(c, "UPDATE registered_models SET last_updated_time = ? WHERE id = ?", now, id);
            List<Move> recorded = recordMoves(c, id, name, before, snapshot(c, id), user, now, reason);
            Map<String, Object> p = new TreeMap<>();
            p.put("kind", kind);
            p.put("key", k);
            p.put("from", current == null ? null : current.toString());
            p.put("to", Long.toString(target));
            p.put("reason", reason);
            audit(c, user, "registered_model.rollback", name, Long.toString(target), p, now);
            if (kind.equals(Move.ALIAS)) {
                webhooks.enqueue(c, WebhookEvent.MODEL_VERSION_ALIAS_CREATED, data("name", name, "alias", k,
                        "version", Long.toString(target)), now);
            }
            Move move = recorded.stream().filter(r -> r.kind().equals(kind) && r.key().equals(k)).findFirst()
                    .orElseGet(() -> m);
            return new Rollback(loadVersion(c, id, target), move);
        });
    }

    // ================================================================== four-eyes

    @Override
    public PendingTransition requestTransition(String name, String version, Stage stage, boolean archiveExisting,
                                               String user, String reason) {
        RegistryRules.version(version);
        return write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            requireVersion(c, id, name, v);
            long now = clock.getAsLong();
            update(c, "DELETE FROM pending_transitions WHERE model_id = ? AND version = ? AND stage = ?", id, v, stage.display());
            update(c, "INSERT INTO pending_transitions (model_id, version, stage, archive_existing, requested_by, requested_at, "
                    + "reason) VALUES (?, ?, ?, ?, ?, ?, ?)", id, v, stage.display(), archiveExisting ? 1 : 0, user, now, reason);
            Map<String, Object> p = new TreeMap<>();
            p.put("stage", stage.display());
            p.put("archive_existing_versions", archiveExisting);
            p.put("reason", reason);
            audit(c, user, "model_version.request_transition", name, version, p, now);
            return new PendingTransition(name, version, stage, archiveExisting, user, now, reason);
        });
    }

    @Override
    public List<PendingTransition> pendingTransitions(String name) {
        return read(c -> {
            String sql = "SELECT rm.name, p.version, p.stage, p.archive_existing, p.requested_by, p.requested_at, p.reason "
                    + "FROM pending_transitions p JOIN registered_models rm ON rm.id = p.model_id";
            Object[] args = {};
            if (name != null) {
                sql += " WHERE p.model_id = ?";
                args = new Object[]{modelId(c, name)};
            }
            sql += " ORDER BY p.requested_at, rm.name, p.version";
            List<PendingTransition> out = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new PendingTransition(rs.getString(1), Long.toString(rs.getLong(2)), Stage.parse(rs.getString(3)),
                            rs.getInt(4) != 0, rs.getString(5), rs.getLong(6), rs.getString(7)));
                }
            }
            return out;
        });
    }

    @Override
    public ModelVersion approveTransition(String name, String version, Stage stage, String approver, String reason) {
        RegistryRules.version(version);
        return write(c -> {
            long id = modelId(c, name);
            long v = Long.parseLong(version);
            String requester;
            boolean archive;
            String requestReason;
            try (PreparedStatement ps = prepare(c, "SELECT requested_by, archive_existing, reason FROM pending_transitions "
                    + "WHERE model_id = ? AND version = ? AND stage = ?", id, v, stage.display()); ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw MlvException.notFound("No pending request to move version " + version + " of model '" + name
                            + "' to " + stage.display() + ".");
                }
                requester = rs.getString(1);
                archive = rs.getInt(2) != 0;
                requestReason = rs.getString(3);
            }
            if (Objects.equals(requester, approver)) {
                throw new MlvException(ErrorCode.PERMISSION_DENIED, "User '" + approver + "' requested this promotion and "
                        + "cannot approve it: a different user must approve (four-eyes rule).");
            }
            update(c, "DELETE FROM pending_transitions WHERE model_id = ? AND version = ? AND stage = ?", id, v, stage.display());
            Map<String, Object> extra = new TreeMap<>();
            extra.put("requested_by", requester);
            extra.put("request_reason", requestReason);
            return transition(c, id, name, v, stage, archive, approver, reason, "model_version.approve_transition", extra);
        });
    }

    // ================================================================== webhooks

    @Override
    public Webhook createWebhook(Webhook.Spec spec, String user) {
        return webhooks.create(spec, user);
    }

    @Override
    public Webhook getWebhook(String id) {
        return webhooks.get(id);
    }

    @Override
    public Page<Webhook> listWebhooks(int maxResults, String pageToken) {
        return webhooks.list(maxResults, pageToken);
    }

    @Override
    public Webhook updateWebhook(String id, Webhook.Spec change, String user) {
        return webhooks.update(id, change, user);
    }

    @Override
    public void deleteWebhook(String id, String user) {
        webhooks.delete(id, user);
    }

    @Override
    public List<WebhookDelivery> claimWebhookDeliveries(String owner, int max, long leaseMillis) {
        return webhooks.claim(owner, max, leaseMillis);
    }

    @Override
    public void recordWebhookAttempt(String deliveryId, String owner, boolean delivered, Integer httpStatus, String error,
                                     Long retryAtMillis) {
        webhooks.record(deliveryId, owner, delivered, httpStatus, error, retryAtMillis);
    }

    @Override
    public WebhookDelivery redeliverWebhookDelivery(String deliveryId, String user) {
        return webhooks.redeliver(deliveryId, user);
    }

    @Override
    public Page<WebhookDelivery> webhookDeliveries(String webhookId, int maxResults, String pageToken) {
        return webhooks.deliveries(webhookId, maxResults, pageToken);
    }

    // ================================================================== audit

    @Override
    public Page<AuditEvent> auditEvents(String model, int maxResults, String pageToken) {
        long after = pageToken == null || pageToken.isEmpty() ? 0 : decodeToken(pageToken);
        return read(c -> {
            String sql = "SELECT seq, event_time, user_id, action, model_name, version, payload, prev_hash, hash FROM audit_events "
                    + "WHERE seq > ?" + (model != null ? " AND model_name = ?" : "") + " ORDER BY seq LIMIT ?";
            Object[] args = model != null ? new Object[]{after, model, maxResults + 1} : new Object[]{after, maxResults + 1};
            List<AuditEvent> events = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) events.add(event(rs));
            }
            if (events.size() > maxResults) {
                events = events.subList(0, maxResults);
                return new Page<>(List.copyOf(events), encodeToken(events.get(maxResults - 1).seq()));
            }
            return new Page<>(events, null);
        });
    }

    @Override
    public AuditVerification verifyAudit() {
        return read(c -> {
            AuditChain.Head head;
            try (PreparedStatement ps = c.prepareStatement("SELECT head_seq, head_hash FROM registry_lock WHERE id = 1");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                head = new AuditChain.Head(rs.getLong(1), rs.getString(2));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_time, user_id, action, model_name, version, "
                    + "payload, prev_hash, hash FROM audit_events ORDER BY seq"); ResultSet rs = ps.executeQuery()) {
                List<AuditEvent> all = new ArrayList<>();
                while (rs.next()) all.add(event(rs));
                return AuditChain.verify(all, head);
            }
        });
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9));
    }

    /** Appends the mutation's audit event and moves the chain head; the caller holds the registry lock. */
    void audit(Connection c, String user, String action, String model, String version, Map<String, ?> payload,
               long now) throws SQLException {
        long seq;
        String prev;
        try (PreparedStatement ps = c.prepareStatement("SELECT head_seq, head_hash FROM registry_lock WHERE id = 1");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            seq = rs.getLong(1);
            prev = rs.getString(2);
        }
        AuditEvent e = AuditChain.next(seq, prev, now, user, action, model, version, payload);
        update(c, "INSERT INTO audit_events (seq, event_time, user_id, action, model_name, version, payload, prev_hash, hash) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", e.seq(), e.timestamp(), e.user(), e.action(), e.model(), e.version(),
                e.payload(), e.prevHash(), e.hash());
        update(c, "UPDATE registry_lock SET head_seq = ?, head_hash = ? WHERE id = 1", e.seq(), e.hash());
    }

    private static void setStage(Connection c, long id, long v, String stage, long now) throws SQLException {
        update(c, "UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_id = ? AND version = ?",
                stage, now, id, v);
    }

    // ================================================================== moves

    private static String stageKey(String stage) {
        return "stage:" + stage;
    }

    private static String aliasKey(String alias) {
        return "alias:" + alias;
    }

    /** What each tracked stage (its highest version) and each alias resolves to now. */
    private Map<String, Long> snapshot(Connection c, long id) throws SQLException {
        Map<String, Long> m = new LinkedHashMap<>();
        try (PreparedStatement ps = prepare(c, "SELECT current_stage, MAX(version) FROM model_versions WHERE model_id = ? "
                + "AND current_stage IN (?, ?) GROUP BY current_stage ORDER BY current_stage", id,
                TRACKED_STAGES.get(0).display(), TRACKED_STAGES.get(1).display()); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) m.put(stageKey(rs.getString(1)), rs.getLong(2));
        }
        try (PreparedStatement ps = prepare(c, "SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias", id);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) m.put(aliasKey(rs.getString(1)), rs.getLong(2));
        }
        return m;
    }

    /** Records one move per key whose version differs between {@code before} and {@code after}; returns them. */
    private List<Move> recordMoves(Connection c, long id, String name, Map<String, Long> before, Map<String, Long> after,
                                   String user, long now, String reason) throws SQLException {
        java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
        keys.addAll(after.keySet());
        List<Move> recorded = new ArrayList<>();
        for (String k : keys) {
            Long from = before.get(k);
            Long to = after.get(k);
            if (Objects.equals(from, to)) continue;
            int colon = k.indexOf(':');
            Move move = new Move(name, k.substring(0, colon), k.substring(colon + 1),
                    from == null ? null : from.toString(), to == null ? null : to.toString(), user, now, reason);
            long moveId = nextId(c, "registry_moves");
            update(c, "INSERT INTO registry_moves (id, model_id, model_name, kind, move_key, from_version, to_version, user_id, "
                    + "move_time, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", moveId, id, name, move.kind(), move.key(),
                    from, to, user, now, reason);
            recorded.add(move);
        }
        return recorded;
    }

    // ================================================================== loading

    private long modelId(Connection c, String name) throws SQLException {
        if (name == null || name.isEmpty()) throw MlvException.invalid("Missing value for required parameter 'name'");
        Long id = queryLong(c, "SELECT id FROM registered_models WHERE name = ?", name);
        if (id == null) throw MlvException.notFound("Registered Model with name=" + name + " not found");
        return id;
    }

    private void requireVersion(Connection c, long id, String name, long v) throws SQLException {
        if (queryLong(c, "SELECT version FROM model_versions WHERE model_id = ? AND version = ?", id, v) == null) {
            throw MlvException.notFound("Model Version (name=" + name + ", version=" + v + ") not found");
        }
    }

    private RegisteredModel loadModel(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = prepare(c, "SELECT name, creation_time, last_updated_time, user_id, description "
                + "FROM registered_models WHERE id = ?", id); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw MlvException.notFound("Registered Model with id=" + id + " not found");
            String name = rs.getString(1);
            long created = rs.getLong(2);
            long updated = rs.getLong(3);
            String user = rs.getString(4);
            String description = rs.getString(5);
            List<Tag> tags = tags(c, "SELECT tag_key, tag_value FROM registered_model_tags WHERE model_id = ? ORDER BY tag_key", id);
            Map<String, String> aliases = new TreeMap<>();
            try (PreparedStatement a = prepare(c, "SELECT alias, version FROM model_aliases WHERE model_id = ?", id);
                 ResultSet ars = a.executeQuery()) {
                while (ars.next()) aliases.put(ars.getString(1), Long.toString(ars.getLong(2)));
            }
            return new RegisteredModel(name, created, updated, user, description, tags, aliases,
                    latestVersions(c, id, List.of(Stage.values())));
        }
    }

    private ModelVersion loadVersion(Connection c, long id, long v) throws SQLException {
        try (PreparedStatement ps = prepare(c, "SELECT rm.name, mv.creation_time, mv.last_updated_time, mv.user_id, "
                + "mv.current_stage, mv.description, mv.source, mv.run_id, mv.run_link, mv.status, mv.storage_location "
                + "FROM model_versions mv "
                + "JOIN registered_models rm ON rm.id = mv.model_id WHERE mv.model_id = ? AND mv.version = ?", id, v);
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw MlvException.notFound("Model Version (id=" + id + ", version=" + v + ") not found");
            String name = rs.getString(1);
            long created = rs.getLong(2);
            long updated = rs.getLong(3);
            String user = rs.getString(4);
            Stage stage = Stage.parse(rs.getString(5));
            String description = rs.getString(6);
            String source = rs.getString(7);
            String runId = rs.getString(8);
            String runLink = rs.getString(9);
            String status = rs.getString(10);
            String storageLocation = rs.getString(11);
            List<Tag> tags = tags(c, "SELECT tag_key, tag_value FROM model_version_tags WHERE model_id = ? AND version = ? "
                    + "ORDER BY tag_key", id, v);
            List<String> aliases = new ArrayList<>();
            try (PreparedStatement a = prepare(c, "SELECT alias FROM model_aliases WHERE model_id = ? AND version = ? ORDER BY alias", id, v);
                 ResultSet ars = a.executeQuery()) {
                while (ars.next()) aliases.add(ars.getString(1));
            }
            return new ModelVersion(name, Long.toString(v), created, updated, user, stage, description, source, runId,
                    runLink, status, tags, aliases, storageLocation);
        }
    }

    private static List<Tag> tags(Connection c, String sql, Object... args) throws SQLException {
        List<Tag> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(new Tag(rs.getString(1), rs.getString(2)));
        }
        return out;
    }

    private static Map<String, String> tagMap(List<Tag> tags) {
        Map<String, String> m = new TreeMap<>();
        for (Tag t : tags) m.put(t.key(), t.value());
        return m;
    }

    // ================================================================== JDBC plumbing

    private <T> T read(Database.Work<T> work) {
        return db.read(work);
    }

    /**
     * Runs {@code work} in one write transaction of the {@link Database} that first takes the registry lock (an UPDATE
     * of the one lock row), so registry mutations serialize across threads and replicas.
     */
    <T> T write(Database.Work<T> work) {
        return db.write(c -> {
            update(c, "UPDATE registry_lock SET bumps = bumps + 1 WHERE id = 1");
            return work.run(c);
        });
    }

    private static long nextId(Connection c, String table) throws SQLException {
        Long max = queryLong(c, "SELECT MAX(id) FROM " + table);
        return max == null ? 1 : max + 1;
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        try {
            for (int i = 0; i < args.length; i++) {
                Object a = args[i];
                if (a == null) ps.setNull(i + 1, java.sql.Types.NULL); // untyped: PostgreSQL infers the column type
                else if (a instanceof Long l) ps.setLong(i + 1, l);
                else if (a instanceof Integer n) ps.setInt(i + 1, n);
                else ps.setString(i + 1, a.toString());
            }
            return ps;
        } catch (SQLException e) {
            ps.close();
            throw e;
        }
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args)) {
            return ps.executeUpdate();
        }
    }

    private static Long queryLong(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) return null;
            long v = rs.getLong(1);
            return rs.wasNull() ? null : v;
        }
    }

    private static List<Long> queryLongs(Connection c, String sql, Object... args) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }

    private static String queryString(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static String encodeToken(long offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    static int decodeToken(String token) {
        if (token == null || token.isEmpty()) return 0;
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (!s.startsWith("o:")) throw new IllegalArgumentException();
            long v = Long.parseLong(s.substring(2));
            if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException();
            return (int) v;
        } catch (IllegalArgumentException e) {
            throw MlvException.invalid("Invalid page token '" + token + "'");
        }
    }
}
