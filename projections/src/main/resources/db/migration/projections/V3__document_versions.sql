-- Every version of every document with its pipeline outcome and metrics.
CREATE TABLE document_version (
    document_id     VARCHAR(64) NOT NULL,
    version         INTEGER     NOT NULL,
    customer_id     VARCHAR(64) NOT NULL,
    title           TEXT        NOT NULL,
    content_type    VARCHAR(100) NOT NULL,
    bytes           BIGINT      NOT NULL,
    sha256          CHAR(64)    NOT NULL,
    status          VARCHAR(16) NOT NULL,
    chunks          INTEGER,
    tokens          BIGINT,
    embedded_tokens BIGINT,
    reused_chunks   INTEGER,
    characters      BIGINT,
    pages           INTEGER,
    metered_tokens  BIGINT,
    cost_micro_usd  BIGINT,
    lance_version   BIGINT,
    model           VARCHAR(100),
    stage_millis    JSONB,
    failure_reason  TEXT,
    uploaded_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX document_version_customer ON document_version (customer_id);

ALTER TABLE document ADD COLUMN reused_chunks INTEGER;
ALTER TABLE document ADD COLUMN characters BIGINT;
ALTER TABLE document ADD COLUMN pages INTEGER;
ALTER TABLE document ADD COLUMN metered_tokens BIGINT;
ALTER TABLE document ADD COLUMN cost_micro_usd BIGINT;
ALTER TABLE document ADD COLUMN removed_lance_version BIGINT;
