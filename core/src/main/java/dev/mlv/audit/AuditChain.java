package dev.mlv.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The audit hash chain. An event's hash is the SHA-256 (lower-case hex) of the canonical JSON — keys sorted, no white
 * space — of {@code {"action","model","payload","prev_hash","seq","timestamp","user","version"}}, where
 * {@code payload} is embedded as a JSON value (itself canonical). Including {@code prev_hash} links each event to
 * all before it, so altering, removing or re-ordering any event breaks every hash after it.
 */
public final class AuditChain {
    /** The {@code prev_hash} of the first event. */
    public static final String GENESIS = "0".repeat(64);
    private static final ObjectMapper JSON = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private AuditChain() {
    }

    /** The canonical JSON text of a JSON value: object keys sorted recursively, no white space. */
    public static String canonicalJson(JsonNode node) {
        try {
            return JSON.writeValueAsString(toPlain(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The canonical JSON text of a payload given as a map (nested maps/lists/strings/numbers/booleans/nulls). */
    public static String canonicalJson(Map<String, ?> payload) {
        return canonicalJson((JsonNode) JSON.valueToTree(payload));
    }

    /** Parses and re-writes a JSON text canonically. */
    public static String canonicalJson(String json) {
        try {
            return canonicalJson(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Invalid audit payload JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Object toPlain(JsonNode n) {
        if (n == null || n.isNull()) return null;
        if (n.isObject()) {
            TreeMap<String, Object> m = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), toPlain(e.getValue()));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode c : n) l.add(toPlain(c));
            return l;
        }
        return n;
    }

    /** The canonical JSON of the fields of an event that its hash covers. */
    public static String canonicalForm(long seq, long timestamp, String user, String action, String model,
                                       String version, String payload, String prevHash) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("seq", seq);
        o.put("timestamp", timestamp);
        o.put("user", user);
        o.put("action", action);
        o.put("model", model);
        o.put("version", version);
        try {
            o.set("payload", payload == null ? JsonNodeFactory.instance.nullNode() : JSON.readTree(payload));
        } catch (JsonProcessingException e) {
            o.put("payload", payload); // a non-JSON payload (only after tampering) still hashes deterministically
        }
        o.put("prev_hash", prevHash);
        return canonicalJson(o);
    }

    /** SHA-256 (hex) of {@link #canonicalForm}. */
    public static String hash(long seq, long timestamp, String user, String action, String model, String version,
                              String payload, String prevHash) {
        return sha256(canonicalForm(seq, timestamp, user, action, model, version, payload, prevHash));
    }

    /** Builds the next event of a chain whose last event has {@code prevSeq}/{@code prevHash} (0/GENESIS when empty). */
    public static AuditEvent next(long prevSeq, String prevHash, long timestamp, String user, String action,
                                  String model, String version, Map<String, ?> payload) {
        String p = canonicalJson(payload);
        long seq = prevSeq + 1;
        return new AuditEvent(seq, timestamp, user, action, model, version, p, prevHash,
                hash(seq, timestamp, user, action, model, version, p, prevHash));
    }

    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Verifies a whole chain given in ascending {@code seq} order (as stored). {@code head}, when not null, is the
     * {@code (seq, hash)} the store recorded for its last event, so that removing the newest events is also seen.
     * Names the first event that was altered (its hash does not match its fields), removed (a gap in
     * {@code seq}), or re-ordered / re-linked (its {@code prev_hash} is not the previous event's hash).
     */
    public static AuditVerification verify(Iterable<AuditEvent> events, Head head) {
        long expectedSeq = 1;
        String prevHash = GENESIS;
        long checked = 0;
        for (AuditEvent e : events) {
            if (e.seq() != expectedSeq) {
                if (e.seq() > expectedSeq) {
                    return fail(checked, expectedSeq, "event " + expectedSeq + " is missing (removed): the next event found is "
                            + e.seq());
                }
                return fail(checked, e.seq(), "event " + e.seq() + " is out of order or duplicated (expected " + expectedSeq + ")");
            }
            String recomputed = hash(e.seq(), e.timestamp(), e.user(), e.action(), e.model(), e.version(), e.payload(),
                    e.prevHash());
            if (!recomputed.equals(e.hash())) {
                return fail(checked, e.seq(), "event " + e.seq() + " (" + e.action() + ") was altered: its hash does not "
                        + "match its content");
            }
            if (!e.prevHash().equals(prevHash)) {
                return fail(checked, e.seq(), "event " + e.seq() + " does not follow event " + (e.seq() - 1)
                        + ": its prev_hash differs (an event before it was removed, replaced or re-ordered)");
            }
            prevHash = e.hash();
            expectedSeq++;
            checked++;
        }
        if (head != null && head.seq() > 0) {
            if (head.seq() >= expectedSeq) {
                return fail(checked, expectedSeq, "event " + expectedSeq + " is missing (removed): the log ends at "
                        + (expectedSeq - 1) + " but " + head.seq() + " events were written");
            }
            if (head.seq() == expectedSeq - 1 && !head.hash().equals(prevHash)) {
                return fail(checked, head.seq(), "event " + head.seq() + " does not match the recorded head of the chain");
            }
        }
        return AuditVerification.ok(checked);
    }

    private static AuditVerification fail(long checked, long seq, String problem) {
        return new AuditVerification(false, checked, seq, problem);
    }

    /** The last {@code seq} and {@code hash} a store recorded alongside the chain. */
    public record Head(long seq, String hash) {
    }
}
