-- Every state each document was in, for the document list and filtered searches as of an instant: a row per
-- applied event, valid from the event's time until the next event's (valid_to NULL while current). The columns are
-- the document's, so the list's and the filters' SQL reads either table. sequence is the event's: a redelivered
-- event, which the projection already skips, could not add a second row either.
CREATE TABLE document_history (
    document_id           VARCHAR(64)  NOT NULL,
    sequence              BIGINT       NOT NULL,
    customer_id           VARCHAR(64)  NOT NULL,
    title                 TEXT         NOT NULL,
    content_type          VARCHAR(100) NOT NULL,
    bytes                 BIGINT       NOT NULL,
    version               INTEGER      NOT NULL,
    status                VARCHAR(16)  NOT NULL,
    chunks                INTEGER,
    tokens                BIGINT,
    embedded_tokens       BIGINT,
    reused_chunks         INTEGER,
    characters            BIGINT,
    pages                 INTEGER,
    metered_tokens        BIGINT,
    cost_micro_usd        BIGINT,
    lance_version         BIGINT,
    model                 VARCHAR(100),
    failure_reason        TEXT,
    removed_lance_version BIGINT,
    metadata              JSONB        NOT NULL,
    metadata_terms        TEXT[]       NOT NULL,
    metadata_instants     JSONB        NOT NULL,
    created_at            TIMESTAMPTZ  NOT NULL,
    updated_at            TIMESTAMPTZ  NOT NULL,
    valid_from            TIMESTAMPTZ  NOT NULL,
    valid_to              TIMESTAMPTZ,
    PRIMARY KEY (document_id, sequence),
    -- Every event changes the document's updated_at to its own time, so a state begins when it was last updated.
    CHECK (valid_from = updated_at)
);
-- The states of a customer's documents at an instant: those begun by then (a range of the updated_at index, which
-- the check above lets the queries use, so the newest-first page starts at the instant) that had not ended by then
-- (a filter on valid_to). The list's other orders and the metadata filters have the indexes the live list has.
CREATE INDEX document_history_list_updated ON document_history (customer_id, updated_at, document_id);
CREATE INDEX document_history_list_created ON document_history (customer_id, created_at, document_id);
CREATE INDEX document_history_list_title ON document_history (customer_id, title, document_id);
CREATE INDEX document_history_metadata_terms ON document_history USING GIN (metadata_terms);

-- How far each customer's history reaches: complete_from, the first instant it holds every state of (NULL: since
-- the customer's first event), and applied_until, the time of the latest event applied.
CREATE TABLE document_history_span (
    customer_id   VARCHAR(64) PRIMARY KEY,
    complete_from TIMESTAMPTZ,
    applied_until TIMESTAMPTZ NOT NULL
);

-- Documents from before this table: their current state only, so their history begins with the last change applied.
INSERT INTO document_history (document_id, sequence, customer_id, title, content_type, bytes, version, status, chunks,
                              tokens, embedded_tokens, reused_chunks, characters, pages, metered_tokens,
                              cost_micro_usd, lance_version, model, failure_reason, removed_lance_version, metadata,
                              metadata_terms, metadata_instants, created_at, updated_at, valid_from)
SELECT document_id, last_sequence, customer_id, title, content_type, bytes, version, status, chunks, tokens,
       embedded_tokens, reused_chunks, characters, pages, metered_tokens, cost_micro_usd, lance_version, model,
       failure_reason, removed_lance_version, metadata, metadata_terms, metadata_instants, created_at, updated_at,
       updated_at
FROM document;
INSERT INTO document_history_span (customer_id, complete_from, applied_until)
SELECT customer_id, max(updated_at), max(updated_at) FROM document GROUP BY customer_id;
