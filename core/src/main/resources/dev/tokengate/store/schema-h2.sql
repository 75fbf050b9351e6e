-- tokengate token store, H2 2.x. Run as is, or through JdbcTokenStore.createSchema(), which replaces the
-- table name tokengate_token (also inside the index names and in tokengate_token_revocation) with the configured
-- one. Idempotent: run again, it creates what is missing and upgrades an older table in place.
-- Only the SHA-256 of each secret is stored; the secret itself is shown once, when it is created.
CREATE TABLE IF NOT EXISTS tokengate_token (
    id                VARCHAR(36)              NOT NULL PRIMARY KEY,
    kind              VARCHAR(16)              NOT NULL,
    token_hash        BINARY(32)               NOT NULL,
    name              VARCHAR(200)             NOT NULL,
    owner             VARCHAR(200)             NOT NULL,
    client_id         VARCHAR(200),
    scopes            VARCHAR(4000)            NOT NULL DEFAULT '',
    allowed_ranges    VARCHAR(4000)            NOT NULL DEFAULT '',
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at        TIMESTAMP WITH TIME ZONE,
    revoked_at        TIMESTAMP WITH TIME ZONE,
    last_used_at      TIMESTAMP WITH TIME ZONE,
    last_used_address VARCHAR(64),
    rotated_at        TIMESTAMP WITH TIME ZONE,
    replaced_by       VARCHAR(36),
    grace_until       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT tokengate_token_kind_ck CHECK (kind IN ('ACCESS_TOKEN', 'API_KEY'))
);
-- Rotation (TokenAdmin.rotate): rotated_at is when the token was last rotated (on the replaced row and on its
-- replacement), replaced_by the id of the replacement, grace_until the end of the old secret's grace period.
-- Tables created before these columns existed are upgraded here.
ALTER TABLE tokengate_token ADD COLUMN IF NOT EXISTS rotated_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE tokengate_token ADD COLUMN IF NOT EXISTS replaced_by VARCHAR(36);
ALTER TABLE tokengate_token ADD COLUMN IF NOT EXISTS grace_until TIMESTAMP WITH TIME ZONE;
CREATE UNIQUE INDEX IF NOT EXISTS tokengate_token_hash_ux ON tokengate_token (token_hash);
CREATE INDEX IF NOT EXISTS tokengate_token_owner_ix ON tokengate_token (owner);
-- The revocation list (TokenGate.revocations()): tokens by the SHA-256 of their text, token ids (jti), subjects,
-- clients and API keys, each with its reason; an entry may be deleted once expires_at has passed.
CREATE TABLE IF NOT EXISTS tokengate_token_revocation (
    target     VARCHAR(16)              NOT NULL,
    revoked    VARCHAR(500)             NOT NULL,
    reason     VARCHAR(500)             NOT NULL,
    revoked_at TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT tokengate_token_revocation_pk PRIMARY KEY (target, revoked),
    CONSTRAINT tokengate_token_revocation_target_ck CHECK (target IN ('token', 'token_id', 'subject', 'client', 'api_key'))
);
