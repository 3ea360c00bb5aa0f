-- The highest experiment id given so far, kept when experiments are removed for good ('mlv gc'), so that no new
-- experiment ever gets the id of a removed one (its artifact folder, grants and audit references stay unambiguous).
CREATE TABLE id_high_water (
    name  VARCHAR(64) NOT NULL,
    value BIGINT      NOT NULL,
    CONSTRAINT id_high_water_pk PRIMARY KEY (name)
);
INSERT INTO id_high_water (name, value) SELECT 'experiment', COALESCE(MAX(experiment_id), 0) FROM experiments;
