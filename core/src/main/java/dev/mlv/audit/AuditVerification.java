package dev.mlv.audit;

/** The result of re-computing the audit chain: the first event found altered, missing or out of order, if any. */
public record AuditVerification(boolean valid, long eventsChecked, Long firstInvalidSeq, String problem) {
    public static AuditVerification ok(long checked) {
        return new AuditVerification(true, checked, null, null);
    }
}
