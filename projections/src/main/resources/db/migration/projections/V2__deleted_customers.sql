-- Customers whose data must not reappear: events of a deleted customer that arrive late (the
-- customer and document topics are not ordered against each other) are ignored.
CREATE TABLE deleted_customer (
    customer_id VARCHAR(64) PRIMARY KEY,
    deleted_at  TIMESTAMPTZ NOT NULL
);
