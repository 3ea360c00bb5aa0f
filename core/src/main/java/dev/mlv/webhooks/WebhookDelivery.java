package dev.mlv.webhooks;

/**
 * One event on its way to one webhook: queued in the transaction of the registry change that caused it, then sent
 * (and retried) by any server until it is {@code DELIVERED} or {@code FAILED}. {@code id} is the
 * {@code X-MLflow-Delivery-Id} of every attempt, so a receiver can recognise a repeat; {@code data} is the event's
 * JSON object; {@code lastStatus} is the receiver's last HTTP status (null before any answer).
 */
public record WebhookDelivery(String id, String webhookId, WebhookEvent event, String data, long createdMillis,
                              Status status, int attempts, long nextAttemptMillis, Integer lastStatus, String lastError) {
    public enum Status { PENDING, DELIVERED, FAILED }
}
