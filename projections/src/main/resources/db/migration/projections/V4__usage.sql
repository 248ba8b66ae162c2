-- What each customer used per day (UTC): the basis of the bill.
CREATE TABLE usage_daily (
    customer_id        VARCHAR(64) NOT NULL,
    day                DATE        NOT NULL,
    documents_uploaded BIGINT      NOT NULL DEFAULT 0,
    documents_indexed  BIGINT      NOT NULL DEFAULT 0,
    documents_failed   BIGINT      NOT NULL DEFAULT 0,
    documents_deleted  BIGINT      NOT NULL DEFAULT 0,
    bytes              BIGINT      NOT NULL DEFAULT 0,
    pages              BIGINT      NOT NULL DEFAULT 0,
    chunks             BIGINT      NOT NULL DEFAULT 0,
    embedded_tokens    BIGINT      NOT NULL DEFAULT 0,
    reused_tokens      BIGINT      NOT NULL DEFAULT 0,
    metered_tokens     BIGINT      NOT NULL DEFAULT 0,
    cost_micro_usd     BIGINT      NOT NULL DEFAULT 0,
    search_queries     BIGINT      NOT NULL DEFAULT 0,
    api_calls          BIGINT      NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, day)
);

-- Totals per document over all its versions; last_sequence recognises redelivered events.
CREATE TABLE usage_document (
    document_id     VARCHAR(64) PRIMARY KEY,
    customer_id     VARCHAR(64) NOT NULL,
    title           TEXT        NOT NULL,
    versions        INTEGER     NOT NULL DEFAULT 0,
    indexed_versions INTEGER    NOT NULL DEFAULT 0,
    bytes           BIGINT      NOT NULL DEFAULT 0,
    chunks          BIGINT      NOT NULL DEFAULT 0,
    embedded_tokens BIGINT      NOT NULL DEFAULT 0,
    reused_tokens   BIGINT      NOT NULL DEFAULT 0,
    metered_tokens  BIGINT      NOT NULL DEFAULT 0,
    cost_micro_usd  BIGINT      NOT NULL DEFAULT 0,
    deleted         BOOLEAN     NOT NULL DEFAULT FALSE,
    last_sequence   BIGINT      NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX usage_document_customer ON usage_document (customer_id);
