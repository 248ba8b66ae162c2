-- What each customer's reservations add up to, kept next to them so that an upload checks its
-- budget by reading one row instead of summing every version still waiting to be indexed.
CREATE TABLE budget_held (
    customer_id VARCHAR(64) PRIMARY KEY,
    micro_usd   BIGINT      NOT NULL
);
INSERT INTO budget_held (customer_id, micro_usd)
SELECT customer_id, SUM(micro_usd) FROM budget_reservation GROUP BY customer_id;
