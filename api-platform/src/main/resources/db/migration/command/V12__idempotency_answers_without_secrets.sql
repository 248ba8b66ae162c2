-- From now on no kept answer shows a secret (an API key, a webhook secret, a token), and sign-up, sign-in,
-- refresh and logout take no Idempotency-Key. Answers kept before may show one: the records of those
-- requests go, and every other answer that could (200 and 201) is released as a 5xx answer is, keeping its
-- request id, so a retry runs again and finds what the first attempt created instead of replaying a secret.
DELETE FROM idempotency_record WHERE scope = 'anonymous';
UPDATE idempotency_record SET response_status = NULL, response = NULL, claimed_at = '-infinity'
 WHERE response_status IN (200, 201);
