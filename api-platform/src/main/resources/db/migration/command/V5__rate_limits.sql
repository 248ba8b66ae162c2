-- Optional limits of an API key of its own, on top of its customer's; NULL means the customer's numbers.
ALTER TABLE api_key ADD COLUMN requests_per_minute INTEGER;
ALTER TABLE api_key ADD COLUMN requests_per_day INTEGER;
ALTER TABLE api_key ADD CONSTRAINT api_key_requests_per_minute CHECK (requests_per_minute >= 1);
ALTER TABLE api_key ADD CONSTRAINT api_key_requests_per_day CHECK (requests_per_day >= 1);

-- Admitted requests per subject ('customer:<customer id>' or 'key:<key id>') in fixed windows: the current
-- UTC minute and UTC day. One row per subject, moved to the new window in place when one begins, so rows
-- never pile up per window; rows of subjects idle for over a day are swept by RateLimits.forgetIdle.
CREATE TABLE rate_limit_counter (
    subject      VARCHAR(80) PRIMARY KEY,
    minute_start TIMESTAMPTZ NOT NULL,
    minute_used  INTEGER     NOT NULL,
    day_start    TIMESTAMPTZ NOT NULL,
    day_used     INTEGER     NOT NULL
);

-- One request of a customer, and of its API key when p_key_id is given, checked against every window in
-- one call (one round trip, one transaction). With p_take the rows are locked, customer before key in
-- every call (so calls never deadlock), and the request counts in all windows or, when any window is used
-- up, in none: a refused request takes nothing from the other windows. Without p_take it only reads.
-- Limits come from the customer's configuration and the key's own columns. Answers one row per subject
-- (customer first), or none when the customer is not active or the key is revoked.
CREATE FUNCTION rate_limit_check(p_customer_id VARCHAR, p_key_id UUID, p_now TIMESTAMPTZ, p_take BOOLEAN)
    RETURNS TABLE (subject VARCHAR, per_minute INTEGER, minute_used INTEGER, minute_reset TIMESTAMPTZ,
                   per_day INTEGER, day_used INTEGER, day_reset TIMESTAMPTZ, admitted BOOLEAN)
    LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_minute   CONSTANT TIMESTAMPTZ := date_trunc('minute', p_now, 'UTC');
    v_day      CONSTANT TIMESTAMPTZ := date_trunc('day', p_now, 'UTC');
    v_subjects VARCHAR[];
    v_per_minute INTEGER[];
    v_per_day  INTEGER[];
    v_admitted BOOLEAN;
BEGIN
    SELECT ARRAY['customer:' || a.customer_id],
           ARRAY[(a.configuration ->> 'requestsPerMinute')::INTEGER],
           ARRAY[(a.configuration ->> 'requestsPerDay')::INTEGER]
      INTO v_subjects, v_per_minute, v_per_day
      FROM customer_account a
     WHERE a.customer_id = p_customer_id AND a.status = 'ACTIVE';
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF p_key_id IS NOT NULL THEN
        SELECT v_subjects || ('key:' || k.key_id)::VARCHAR,
               v_per_minute || coalesce(k.requests_per_minute, v_per_minute[1]),
               v_per_day || coalesce(k.requests_per_day, v_per_day[1])
          INTO v_subjects, v_per_minute, v_per_day
          FROM api_key k
         WHERE k.key_id = p_key_id AND k.customer_id = p_customer_id AND k.revoked_at IS NULL;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;

    IF p_take THEN
        -- No flush to disk before the answer: a database crash may forget the requests of its last fraction of
        -- a second (and let that many through again), which is cheaper than a disk flush on every request.
        -- Applies to this call's own transaction only.
        PERFORM set_config('synchronous_commit', 'off', true);
        -- Another instance's clock may be a little ahead: its newer window wins, ours never moves a row back.
        INSERT INTO rate_limit_counter AS c (subject, minute_start, minute_used, day_start, day_used)
        SELECT s.subject, v_minute, 0, v_day, 0
          FROM unnest(v_subjects) WITH ORDINALITY AS s (subject, ord)
         ORDER BY s.ord
        ON CONFLICT (subject) DO UPDATE SET
            minute_start = greatest(c.minute_start, v_minute),
            minute_used  = CASE WHEN c.minute_start >= v_minute THEN c.minute_used ELSE 0 END,
            day_start    = greatest(c.day_start, v_day),
            day_used     = CASE WHEN c.day_start >= v_day THEN c.day_used ELSE 0 END;
        SELECT bool_and(c.minute_used < l.per_minute AND c.day_used < l.per_day)
          INTO v_admitted
          FROM unnest(v_subjects, v_per_minute, v_per_day) AS l (subject, per_minute, per_day)
          JOIN rate_limit_counter c ON c.subject = l.subject;
        IF v_admitted THEN
            UPDATE rate_limit_counter SET minute_used = minute_used + 1, day_used = day_used + 1
             WHERE subject = ANY (v_subjects);
        END IF;
    END IF;

    RETURN QUERY
        SELECT l.subject,
               l.per_minute,
               CASE WHEN c.minute_start >= v_minute THEN c.minute_used ELSE 0 END,
               greatest(c.minute_start, v_minute) + INTERVAL '1 minute',
               l.per_day,
               CASE WHEN c.day_start >= v_day THEN c.day_used ELSE 0 END,
               greatest(c.day_start, v_day) + INTERVAL '24 hours',
               v_admitted
          FROM unnest(v_subjects, v_per_minute, v_per_day) WITH ORDINALITY AS l (subject, per_minute, per_day, ord)
          LEFT JOIN rate_limit_counter c ON c.subject = l.subject
         ORDER BY l.ord;
END
$$;
