-- Embedding cost per customer per calendar month (UTC), kept in the command's transaction so that
-- an upload is checked against the budget consistently with every other upload.
CREATE TABLE budget_month (
    customer_id     VARCHAR(64) NOT NULL,
    month           CHAR(7)     NOT NULL,
    spent_micro_usd BIGINT      NOT NULL DEFAULT 0,
    alerted         BOOLEAN     NOT NULL DEFAULT FALSE,
    PRIMARY KEY (customer_id, month)
);

-- What each accepted, not yet indexed version may still cost; replaced by the real cost when it is indexed.
CREATE TABLE budget_reservation (
    document_id VARCHAR(64) NOT NULL,
    version     INTEGER     NOT NULL,
    customer_id VARCHAR(64) NOT NULL,
    micro_usd   BIGINT      NOT NULL,
    PRIMARY KEY (document_id, version)
);
CREATE INDEX budget_reservation_customer ON budget_reservation (customer_id);
