package dev.mlv.audit;

/**
 * One event of the tamper-evident audit log. {@code seq} counts from 1 without gaps; {@code payload} is canonical JSON
 * (e.g. {@code {"from":"Staging","reason":"…","to":"Production"}}); {@code prevHash} is the previous event's
 * {@code hash} ({@link AuditChain#GENESIS} for the first); {@code hash} is {@link AuditChain#hash} of the other fields.
 * {@code model} and {@code version} are null when the action concerns neither.
 */
public record AuditEvent(long seq, long timestamp, String user, String action, String model, String version,
                         String payload, String prevHash, String hash) {
}
