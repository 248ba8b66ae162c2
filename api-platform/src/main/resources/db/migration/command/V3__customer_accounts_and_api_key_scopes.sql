-- The command side's own view of each customer, written by a subscribing event handler in the
-- same transaction as the customer's events: authentication and upload limits read it.
CREATE TABLE customer_account (
    customer_id            VARCHAR(64) PRIMARY KEY,
    status                 VARCHAR(16) NOT NULL,
    configuration          JSONB       NOT NULL,
    company_key_id         VARCHAR(64),
    company_ciphertext     TEXT,
    provider               VARCHAR(32),
    provider_fingerprint   VARCHAR(100),
    document_count         INTEGER     NOT NULL DEFAULT 0,
    registered_at          TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);

-- Customers' keys for embedding providers, sealed with the key-encryption key. Never in events.
CREATE TABLE provider_key (
    customer_id VARCHAR(64) NOT NULL,
    provider    VARCHAR(32) NOT NULL,
    sealed_key  BYTEA       NOT NULL,
    kek_id      VARCHAR(64) NOT NULL,
    fingerprint VARCHAR(100) NOT NULL,
    base_url    TEXT,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, provider)
);

ALTER TABLE api_key ADD COLUMN name VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE api_key ADD COLUMN scopes TEXT[] NOT NULL DEFAULT ARRAY['ingest', 'search', 'read', 'admin'];
ALTER TABLE api_key ADD COLUMN last_used_at TIMESTAMPTZ;
