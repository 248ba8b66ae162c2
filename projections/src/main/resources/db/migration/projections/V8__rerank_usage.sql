-- Reranked searches per day: calls of the customer's rerank provider, what they sent and what they cost.
ALTER TABLE usage_daily
    ADD COLUMN reranked_searches     BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN reranked_documents    BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN rerank_tokens         BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN rerank_cost_micro_usd BIGINT NOT NULL DEFAULT 0;
