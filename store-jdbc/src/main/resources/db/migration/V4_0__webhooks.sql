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
