-- Per-user permissions on experiments and registered models (MLflow's basic-auth model): one row per grant.
-- resource_type is EXPERIMENT or REGISTERED_MODEL; resource is the experiment id or the registered model name;
-- permission is READ, EDIT, MANAGE or NO_PERMISSIONS. Changes take registry_lock and are audited in the registry's
-- chain.
CREATE TABLE permissions (
    resource_type VARCHAR(32)  NOT NULL,
    resource      VARCHAR(256) NOT NULL,
    user_name     VARCHAR(128) NOT NULL,
    permission    VARCHAR(16)  NOT NULL,
    PRIMARY KEY (resource_type, resource, user_name)
);
CREATE INDEX permissions_user_idx ON permissions (user_name);
