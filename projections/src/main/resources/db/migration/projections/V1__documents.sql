-- Where each projection has read up to, written in the same transaction as its rows.
CREATE TABLE projection_offset (
    projection  VARCHAR(100) NOT NULL,
    topic       VARCHAR(255) NOT NULL,
    partition   INTEGER      NOT NULL,
    next_offset BIGINT       NOT NULL,
    PRIMARY KEY (projection, topic, partition)
);

-- The documents catalogue: the latest version of every document and its pipeline status.
CREATE TABLE document (
    document_id    VARCHAR(64)  PRIMARY KEY,
    customer_id    VARCHAR(64)  NOT NULL,
    title          TEXT         NOT NULL,
    content_type   VARCHAR(100) NOT NULL,
    bytes          BIGINT       NOT NULL,
    version        INTEGER      NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    chunks         INTEGER,
    tokens         BIGINT,
    embedded_tokens BIGINT,
    lance_version  BIGINT,
    model          VARCHAR(100),
    failure_reason TEXT,
    last_sequence  BIGINT       NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL
);
CREATE INDEX document_customer ON document (customer_id, updated_at DESC);
