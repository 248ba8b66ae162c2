-- One use of an Idempotency-Key: kept when a retry takes over the claim of an attempt that died, new
-- when an expired key is used again. What the request creates takes its ids from it, so a retry
-- after a lost answer names (and finds) what the first attempt created, while a key reused after it
-- expired creates anew.
ALTER TABLE idempotency_record ADD COLUMN request_id UUID;
UPDATE idempotency_record SET request_id = claim_id;
ALTER TABLE idempotency_record ALTER COLUMN request_id SET NOT NULL;
