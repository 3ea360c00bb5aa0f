-- Tracking schema (experiments, runs, params, metrics, tags, dataset inputs).
-- Portable between SQLite and PostgreSQL: no AUTOINCREMENT/SERIAL (ids are assigned by the store), only
-- VARCHAR/TEXT/BIGINT/INTEGER/DOUBLE PRECISION. NaN metric values are stored as 0 with is_nan = 1.

CREATE TABLE experiments (
    experiment_id     BIGINT        NOT NULL,
    name              VARCHAR(500)  NOT NULL,
    artifact_location VARCHAR(2000),
    lifecycle_stage   VARCHAR(32)   NOT NULL,
    creation_time     BIGINT        NOT NULL,
    last_update_time  BIGINT        NOT NULL,
    CONSTRAINT experiments_pk PRIMARY KEY (experiment_id),
    CONSTRAINT experiments_name_uq UNIQUE (name)
);

CREATE TABLE experiment_tags (
    experiment_id BIGINT       NOT NULL,
    key           VARCHAR(250) NOT NULL,
    value         TEXT         NOT NULL,
    CONSTRAINT experiment_tags_pk PRIMARY KEY (experiment_id, key),
    CONSTRAINT experiment_tags_experiment_fk FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id)
);

CREATE TABLE runs (
    run_uuid        VARCHAR(32)   NOT NULL,
    experiment_id   BIGINT        NOT NULL,
    name            VARCHAR(250),
    user_id         VARCHAR(256),
    status          VARCHAR(20)   NOT NULL,
    start_time      BIGINT        NOT NULL,
    end_time        BIGINT,
    artifact_uri    VARCHAR(2000),
    lifecycle_stage VARCHAR(20)   NOT NULL,
    deleted_time    BIGINT,
    CONSTRAINT runs_pk PRIMARY KEY (run_uuid),
    CONSTRAINT runs_experiment_fk FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id)
);
CREATE INDEX runs_experiment_start_idx ON runs (experiment_id, start_time, run_uuid);

CREATE TABLE tags (
    run_uuid VARCHAR(32)  NOT NULL,
    key      VARCHAR(250) NOT NULL,
    value    TEXT         NOT NULL,
    CONSTRAINT tags_pk PRIMARY KEY (run_uuid, key),
    CONSTRAINT tags_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);
CREATE INDEX tags_key_value_idx ON tags (key, ${string_value_index});

CREATE TABLE params (
    run_uuid VARCHAR(32)  NOT NULL,
    key      VARCHAR(250) NOT NULL,
    value    TEXT         NOT NULL,
    CONSTRAINT params_pk PRIMARY KEY (run_uuid, key),
    CONSTRAINT params_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);
CREATE INDEX params_key_value_idx ON params (key, ${string_value_index});

-- Every logged point; identical points are stored once (as MLflow's primary key does).
CREATE TABLE metrics (
    run_uuid  VARCHAR(32)      NOT NULL,
    key       VARCHAR(250)     NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    timestamp BIGINT           NOT NULL,
    step      BIGINT           NOT NULL,
    is_nan    INTEGER          NOT NULL,
    CONSTRAINT metrics_pk PRIMARY KEY (run_uuid, key, step, timestamp, value, is_nan),
    CONSTRAINT metrics_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);

-- The latest point per (run, key) by (step, timestamp, value), maintained in the same transaction as metric inserts.
CREATE TABLE latest_metrics (
    run_uuid  VARCHAR(32)      NOT NULL,
    key       VARCHAR(250)     NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    timestamp BIGINT           NOT NULL,
    step      BIGINT           NOT NULL,
    is_nan    INTEGER          NOT NULL,
    CONSTRAINT latest_metrics_pk PRIMARY KEY (run_uuid, key),
    CONSTRAINT latest_metrics_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);
CREATE INDEX latest_metrics_key_value_idx ON latest_metrics (key, value, run_uuid);

-- A dataset is stored once per (experiment, name, digest).
CREATE TABLE datasets (
    dataset_uuid    VARCHAR(36)  NOT NULL,
    experiment_id   BIGINT       NOT NULL,
    name            VARCHAR(500) NOT NULL,
    digest          VARCHAR(36)  NOT NULL,
    source_type     VARCHAR(36)  NOT NULL,
    source          TEXT         NOT NULL,
    dataset_schema  TEXT,
    dataset_profile TEXT,
    CONSTRAINT datasets_pk PRIMARY KEY (dataset_uuid),
    CONSTRAINT datasets_uq UNIQUE (experiment_id, name, digest),
    CONSTRAINT datasets_experiment_fk FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id)
);

CREATE TABLE run_inputs (
    run_uuid     VARCHAR(32) NOT NULL,
    dataset_uuid VARCHAR(36) NOT NULL,
    CONSTRAINT run_inputs_pk PRIMARY KEY (run_uuid, dataset_uuid),
    CONSTRAINT run_inputs_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid),
    CONSTRAINT run_inputs_dataset_fk FOREIGN KEY (dataset_uuid) REFERENCES datasets (dataset_uuid)
);
CREATE INDEX run_inputs_dataset_idx ON run_inputs (dataset_uuid);

CREATE TABLE run_input_tags (
    run_uuid     VARCHAR(32)  NOT NULL,
    dataset_uuid VARCHAR(36)  NOT NULL,
    key          VARCHAR(255) NOT NULL,
    value        TEXT         NOT NULL,
    CONSTRAINT run_input_tags_pk PRIMARY KEY (run_uuid, dataset_uuid, key),
    CONSTRAINT run_input_tags_input_fk FOREIGN KEY (run_uuid, dataset_uuid) REFERENCES run_inputs (run_uuid, dataset_uuid)
);
