-- Range filters on metadata dates: every metadata string that is a date (DocumentMetadata.isDate), as the instant
-- it stands for in nanoseconds since the epoch, keyed like the metadata. The projection computes it with the same
-- code the API's filters use, so SQL never parses a date a client wrote (it could fail, or read it otherwise).
ALTER TABLE document ADD COLUMN metadata_instants JSONB NOT NULL DEFAULT '{}';

-- Rows written before this column: the two ISO-8601 forms DocumentMetadata reads, parsed here once. An
-- impossible date (2026-02-30) parses neither here nor there.
CREATE FUNCTION pg_temp.metadata_instant(value TEXT) RETURNS NUMERIC AS $$
BEGIN
    IF value ~ '^\d{4}-\d{2}-\d{2}$' THEN
        RETURN extract(epoch FROM (value || 'T00:00:00Z')::TIMESTAMPTZ) * 1000000000;
    END IF;
    IF value ~* '^\d{4}-\d{2}-\d{2}t([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(z|[+-]\d{2}:\d{2}(:\d{2})?)$' THEN
        RETURN extract(epoch FROM value::TIMESTAMPTZ) * 1000000000;
    END IF;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$ LANGUAGE plpgsql;

UPDATE document d SET metadata_instants = instants.value
FROM (SELECT document_id, jsonb_object_agg(key, pg_temp.metadata_instant(value #>> '{}')) AS value
      FROM document, jsonb_each(metadata)
      WHERE jsonb_typeof(value) = 'string' AND pg_temp.metadata_instant(value #>> '{}') IS NOT NULL
      GROUP BY document_id) instants
WHERE d.document_id = instants.document_id;
