-- Registry webhooks (MLflow 3's webhooks API): where registry events are delivered. events holds the subscribed
-- events as comma-separated entity.action names; status is ACTIVE or DISABLED; secret signs deliveries
-- (HMAC-SHA256) and is never returned by the API. Changes are audited in the registry's chain.
CREATE TABLE webhooks (
    webhook_id             VARCHAR(32)   NOT NULL PRIMARY KEY,
    name                   VARCHAR(256)  NOT NULL,
    description            TEXT,
    url                    VARCHAR(2048) NOT NULL,
    events                 VARCHAR(1000) NOT NULL,
    status                 VARCHAR(16)   NOT NULL,
    secret                 TEXT,
    creation_timestamp     BIGINT        NOT NULL,
    last_updated_timestamp BIGINT        NOT NULL
);
CREATE INDEX webhooks_created_idx ON webhooks (creation_timestamp);

-- The outbox of webhook events: one row per event and webhook, inserted in the transaction of the registry change
-- that caused it, so no event is lost when a server stops. Any replica claims due rows for a lease (claimed_by,
-- claim_until_ms), sends them and records the outcome; status PENDING, DELIVERED or FAILED. delivery_id is the
-- X-MLflow-Delivery-Id of every attempt; seq orders deliveries as their changes happened (allocated under
-- registry_lock, as every registry id).
CREATE TABLE webhook_deliveries (
    delivery_id     VARCHAR(36) NOT NULL PRIMARY KEY,
    seq             BIGINT      NOT NULL,
    webhook_id      VARCHAR(32) NOT NULL,
    event           VARCHAR(64) NOT NULL,
    data            TEXT        NOT NULL,
    created_ms      BIGINT      NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempts        INTEGER     NOT NULL,
    next_attempt_ms BIGINT      NOT NULL,
    claimed_by      VARCHAR(64),
    claim_until_ms  BIGINT,
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (status, next_attempt_ms);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, seq);
