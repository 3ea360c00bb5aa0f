-- The users of a server started with --auth (HTTP Basic), kept here so that every replica sees the same users.
-- password_hash is pbkdf2_sha256$<iterations>$<salt>$<hash> (never the password); is_admin is 1 for administrators.
-- Changes take registry_lock and are audited in the registry's chain (user.create, user.update, user.delete).
CREATE TABLE users (
    user_name     VARCHAR(128) NOT NULL,
    password_hash VARCHAR(512) NOT NULL,
    is_admin      INTEGER      NOT NULL,
    creation_time BIGINT       NOT NULL,
    last_update_time BIGINT    NOT NULL,
    CONSTRAINT users_pk PRIMARY KEY (user_name)
);
