-- MLflow 3's logged models: a model's files, params, tags and metrics, apart from any one run; and the models a run
-- read or produced. Soft delete (lifecycle_stage), as for runs. Status is the proto enum number (1 PENDING, 2 READY,
-- 3 UPLOAD_FAILED).

CREATE TABLE logged_models (
    model_id                  VARCHAR(36)   NOT NULL,
    experiment_id             BIGINT        NOT NULL,
    name                      VARCHAR(500)  NOT NULL,
    artifact_location         VARCHAR(2000) NOT NULL,
    creation_timestamp_ms     BIGINT        NOT NULL,
    last_updated_timestamp_ms BIGINT        NOT NULL,
    status                    INTEGER       NOT NULL,
    lifecycle_stage           VARCHAR(32)   NOT NULL,
    model_type                VARCHAR(500),
    source_run_id             VARCHAR(32),
    CONSTRAINT logged_models_pk PRIMARY KEY (model_id),
    CONSTRAINT logged_models_experiment_fk FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id)
);
CREATE INDEX logged_models_experiment_idx ON logged_models (experiment_id, creation_timestamp_ms);

CREATE TABLE logged_model_tags (
    model_id VARCHAR(36)  NOT NULL,
    key      VARCHAR(250) NOT NULL,
    value    TEXT         NOT NULL,
    CONSTRAINT logged_model_tags_pk PRIMARY KEY (model_id, key),
    CONSTRAINT logged_model_tags_model_fk FOREIGN KEY (model_id) REFERENCES logged_models (model_id)
);

CREATE TABLE logged_model_params (
    model_id VARCHAR(36)  NOT NULL,
    key      VARCHAR(250) NOT NULL,
    value    TEXT         NOT NULL,
    CONSTRAINT logged_model_params_pk PRIMARY KEY (model_id, key),
    CONSTRAINT logged_model_params_model_fk FOREIGN KEY (model_id) REFERENCES logged_models (model_id)
);

-- Every metric point logged for a model (the model's "metrics" are its whole history, as in MLflow); dataset_name
-- and dataset_digest are '' when the point is on no dataset, so they can be part of the key.
CREATE TABLE logged_model_metrics (
    model_id       VARCHAR(36)      NOT NULL,
    key            VARCHAR(250)     NOT NULL,
    value          DOUBLE PRECISION NOT NULL,
    timestamp      BIGINT           NOT NULL,
    step           BIGINT           NOT NULL,
    is_nan         INTEGER          NOT NULL,
    run_uuid       VARCHAR(32)      NOT NULL,
    dataset_name   VARCHAR(500)     NOT NULL,
    dataset_digest VARCHAR(36)      NOT NULL,
    CONSTRAINT logged_model_metrics_pk PRIMARY KEY (model_id, key, timestamp, step, run_uuid, dataset_name, dataset_digest),
    CONSTRAINT logged_model_metrics_model_fk FOREIGN KEY (model_id) REFERENCES logged_models (model_id),
    CONSTRAINT logged_model_metrics_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);

-- Models a run read (direction 'INPUT') or produced ('OUTPUT', at a step). The model need not exist (MLflow does not
-- check), so there is no foreign key on model_id.
CREATE TABLE run_models (
    run_uuid  VARCHAR(32) NOT NULL,
    model_id  VARCHAR(36) NOT NULL,
    direction VARCHAR(8)  NOT NULL,
    step      BIGINT      NOT NULL,
    CONSTRAINT run_models_pk PRIMARY KEY (run_uuid, model_id, direction),
    CONSTRAINT run_models_run_fk FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid)
);
CREATE INDEX run_models_model_idx ON run_models (model_id);
