-- The command side's own view of each document, kept in the command's transaction: which
-- customer owns it, its latest version and whether it is deleted.
CREATE TABLE document_state (
    document_id    VARCHAR(64) PRIMARY KEY,
    customer_id    VARCHAR(64) NOT NULL,
    latest_version INTEGER     NOT NULL,
    latest_sha256  CHAR(64)    NOT NULL,
    deleted        BOOLEAN     NOT NULL DEFAULT FALSE,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_state_customer ON document_state (customer_id);
