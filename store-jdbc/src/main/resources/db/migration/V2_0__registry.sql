-- Model registry: registered models, versions, tags, aliases, recorded files, stage/alias move history,
-- pending four-eyes promotions and the hash-chained audit log. Portable SQL (SQLite and PostgreSQL): no
-- auto-increment (ids are allocated under registry_lock), no ON DELETE CASCADE (children are deleted explicitly).

-- The one row every registry mutation updates first: it serializes mutations across threads and replicas and holds
-- the head of the audit chain.
CREATE TABLE registry_lock (
    id        INTEGER     NOT NULL PRIMARY KEY,
    head_seq  BIGINT      NOT NULL,
    head_hash VARCHAR(64) NOT NULL,
    bumps     BIGINT      NOT NULL
);
INSERT INTO registry_lock (id, head_seq, head_hash, bumps)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

CREATE TABLE registered_models (
    id                BIGINT        NOT NULL PRIMARY KEY,
    name              VARCHAR(256)  NOT NULL UNIQUE,
    name_key          VARCHAR(1024) NOT NULL UNIQUE,
    creation_time     BIGINT        NOT NULL,
    last_updated_time BIGINT        NOT NULL,
    user_id           VARCHAR(256),
    description       TEXT,
    next_version      BIGINT        NOT NULL
);

CREATE TABLE registered_model_tags (
    model_id  BIGINT       NOT NULL,
    tag_key   VARCHAR(250) NOT NULL,
    tag_value TEXT,
    PRIMARY KEY (model_id, tag_key)
);

CREATE TABLE model_versions (
    model_id          BIGINT       NOT NULL,
    version           BIGINT       NOT NULL,
    creation_time     BIGINT       NOT NULL,
    last_updated_time BIGINT       NOT NULL,
    user_id           VARCHAR(256),
    current_stage     VARCHAR(20)  NOT NULL,
    description       TEXT,
    source            TEXT         NOT NULL,
    run_id            VARCHAR(256),
    run_link          TEXT,
    status            VARCHAR(32)  NOT NULL,
    storage_location  TEXT,
    PRIMARY KEY (model_id, version)
);
CREATE INDEX model_versions_stage ON model_versions (model_id, current_stage, version);
CREATE INDEX model_versions_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    model_id  BIGINT       NOT NULL,
    version   BIGINT       NOT NULL,
    tag_key   VARCHAR(250) NOT NULL,
    tag_value TEXT,
    PRIMARY KEY (model_id, version, tag_key)
);

CREATE TABLE model_aliases (
    model_id BIGINT       NOT NULL,
    alias    VARCHAR(255) NOT NULL,
    version  BIGINT       NOT NULL,
    PRIMARY KEY (model_id, alias)
);
CREATE INDEX model_aliases_version ON model_aliases (model_id, version);

-- The files of a version as registered: path relative to its source, size and SHA-256.
CREATE TABLE model_version_files (
    model_id BIGINT        NOT NULL,
    version  BIGINT        NOT NULL,
    path     VARCHAR(4096) NOT NULL,
    size     BIGINT        NOT NULL,
    sha256   VARCHAR(64)   NOT NULL,
    PRIMARY KEY (model_id, version, path)
);

-- Every change of what a stage or an alias resolves to.
CREATE TABLE registry_moves (
    id           BIGINT       NOT NULL PRIMARY KEY,
    model_id     BIGINT       NOT NULL,
    model_name   VARCHAR(256) NOT NULL,
    kind         VARCHAR(10)  NOT NULL,
    move_key     VARCHAR(255) NOT NULL,
    from_version BIGINT,
    to_version   BIGINT,
    user_id      VARCHAR(256),
    move_time    BIGINT       NOT NULL,
    reason       TEXT
);
CREATE INDEX registry_moves_key ON registry_moves (model_id, kind, move_key, id);

CREATE TABLE pending_transitions (
    model_id         BIGINT       NOT NULL,
    version          BIGINT       NOT NULL,
    stage            VARCHAR(20)  NOT NULL,
    archive_existing INTEGER      NOT NULL,
    requested_by     VARCHAR(256) NOT NULL,
    requested_at     BIGINT       NOT NULL,
    reason           TEXT,
    PRIMARY KEY (model_id, version, stage)
);

-- Append-only, hash-chained (dev.mlv.audit.AuditChain).
CREATE TABLE audit_events (
    seq        BIGINT       NOT NULL PRIMARY KEY,
    event_time BIGINT       NOT NULL,
    user_id    VARCHAR(256),
    action     VARCHAR(100) NOT NULL,
    model_name VARCHAR(256),
    version    VARCHAR(32),
    payload    TEXT         NOT NULL,
    prev_hash  VARCHAR(64)  NOT NULL,
    hash       VARCHAR(64)  NOT NULL
);
CREATE INDEX audit_events_model ON audit_events (model_name, seq);
