-- The outcome of each POST sent with an Idempotency-Key, so a retry is answered from here instead of
-- running again. Keys belong to a caller scope ('customer:<id>', 'admin:<id>', 'operator' or 'anonymous'),
-- so tenants never meet each other's keys. A row without response_status is a request still running: its
-- claim_id names the attempt that owns it, and once claimed_at is older than the lease a retry may take it
-- over (its instance probably died). The response (status line, headers that matter, body) is sealed with
-- the key-encryption key, as it may carry secrets shown once (API keys, webhook secrets, tokens).
CREATE TABLE idempotency_record (
    scope           VARCHAR(100) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    fingerprint     BYTEA        NOT NULL,
    claim_id        UUID         NOT NULL,
    claimed_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL,
    response_status INTEGER,
    response        BYTEA,
    PRIMARY KEY (scope, idempotency_key)
);
CREATE INDEX idempotency_record_expires ON idempotency_record (expires_at);
