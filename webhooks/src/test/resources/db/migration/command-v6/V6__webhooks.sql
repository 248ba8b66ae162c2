-- Customers' webhooks: which events to POST where. The signing secret is sealed with the
-- key-encryption key, bound to the webhook id; after a rotation the previous secret keeps signing
-- beside the new one until previous_secret_until, so receivers can switch without losing deliveries.
CREATE TABLE webhook (
    webhook_id             UUID         PRIMARY KEY,
    customer_id            VARCHAR(64)  NOT NULL,
    url                    TEXT         NOT NULL,
    event_types            TEXT[]       NOT NULL,
    description            VARCHAR(500) NOT NULL DEFAULT '',
    enabled                BOOLEAN      NOT NULL,
    disabled_reason        TEXT,
    sealed_secret          BYTEA        NOT NULL,
    previous_sealed_secret BYTEA,
    previous_secret_until  TIMESTAMPTZ,
    last_success_at        TIMESTAMPTZ,
    created_at             TIMESTAMPTZ  NOT NULL,
    updated_at             TIMESTAMPTZ  NOT NULL
);
CREATE INDEX webhook_customer ON webhook (customer_id, created_at);

-- One row per event and webhook: the exact body to send (signed anew at every attempt) and the
-- state of its delivery. A claimed row carries a lease: its next_attempt_at lies a lease ahead and
-- lease_token names the claim, so a dispatcher that dies mid-attempt only delays the delivery.
CREATE TABLE webhook_delivery (
    delivery_id      UUID        PRIMARY KEY,
    webhook_id       UUID        NOT NULL REFERENCES webhook (webhook_id) ON DELETE CASCADE,
    event_id         VARCHAR(64) NOT NULL,
    event_type       VARCHAR(64) NOT NULL,
    body             TEXT        NOT NULL,
    status           VARCHAR(16) NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    lease_token      UUID,
    last_status_code INTEGER,
    last_error       TEXT,
    last_attempt_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    delivered_at     TIMESTAMPTZ,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_log ON webhook_delivery (webhook_id, created_at DESC, delivery_id DESC);

-- Where the webhook consumer stands in the event topics, written in the same transaction as the
-- deliveries those events produced.
CREATE TABLE webhook_offset (
    topic       VARCHAR(249) NOT NULL,
    partition   INTEGER      NOT NULL,
    next_offset BIGINT       NOT NULL,
    PRIMARY KEY (topic, partition)
);
