-- Per-customer data keys, wrapped by the key-encryption key. Destroying a key (crypto-shredding) clears the
-- material and keeps the row as a tombstone, so "shredded" can be told apart from "never existed".
CREATE TABLE customer_data_key (
    customer_id  VARCHAR(64) PRIMARY KEY,
    key_id       UUID,
    wrapped_key  BYTEA,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    destroyed_at TIMESTAMPTZ,
    CONSTRAINT customer_data_key_material_or_tombstone CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL)),
    CONSTRAINT customer_data_key_named CHECK (wrapped_key IS NULL OR key_id IS NOT NULL)
);

-- People who sign in with a password. Platform admins belong to no customer.
CREATE TABLE user_account (
    user_id       UUID         PRIMARY KEY,
    customer_id   VARCHAR(64),
    email         VARCHAR(320) NOT NULL,
    password_hash TEXT         NOT NULL,
    role          VARCHAR(16)  NOT NULL,
    created_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    disabled_at   TIMESTAMPTZ,
    CONSTRAINT user_account_email_unique UNIQUE (email),
    CONSTRAINT user_account_role CHECK (role IN ('CUSTOMER', 'ADMIN')),
    CONSTRAINT user_account_admins_have_no_customer CHECK ((role = 'ADMIN') = (customer_id IS NULL))
);
CREATE INDEX user_account_customer ON user_account (customer_id);

-- Consecutive failed sign-ins per subject ("email:<address>", "ip:<address>"), shared by every API instance.
CREATE TABLE login_throttle (
    subject         VARCHAR(400) PRIMARY KEY,
    failures        INTEGER      NOT NULL,
    last_failure_at TIMESTAMPTZ  NOT NULL
);

-- ES256 key pairs that sign access tokens; the private key is sealed by the key-encryption key.
-- At most one key is current (not retired).
CREATE TABLE signing_key (
    kid         VARCHAR(64) PRIMARY KEY,
    public_jwk  TEXT        NOT NULL,
    private_key BYTEA       NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX signing_key_one_current ON signing_key ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- Refresh tokens, stored as SHA-256 only and grouped in families: one family per sign-in, one new token per
-- rotation. Presenting a used token revokes its whole family.
CREATE TABLE refresh_family (
    family_id      UUID        PRIMARY KEY,
    user_id        UUID        NOT NULL REFERENCES user_account (user_id) ON DELETE CASCADE,
    created_at     TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason VARCHAR(16),
    CONSTRAINT refresh_family_revocation CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CONSTRAINT refresh_family_revoked_reason CHECK (revoked_reason IN ('LOGOUT', 'REUSE', 'REVOKED'))
);
CREATE INDEX refresh_family_user ON refresh_family (user_id);

CREATE TABLE refresh_token (
    token_hash CHAR(64)    PRIMARY KEY,
    family_id  UUID        NOT NULL REFERENCES refresh_family (family_id) ON DELETE CASCADE,
    issued_at  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_token_family ON refresh_token (family_id);
