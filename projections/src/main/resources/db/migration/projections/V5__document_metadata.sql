-- Document metadata (the whole object, as the latest upload or change left it) and when each document was
-- created, for the document list.
ALTER TABLE document ADD COLUMN metadata JSONB NOT NULL DEFAULT '{}';
ALTER TABLE document ADD COLUMN created_at TIMESTAMPTZ;
UPDATE document d SET created_at = COALESCE(
    (SELECT min(v.uploaded_at) FROM document_version v WHERE v.document_id = d.document_id), d.updated_at);
ALTER TABLE document ALTER COLUMN created_at SET NOT NULL;
ALTER TABLE document_version ADD COLUMN metadata JSONB NOT NULL DEFAULT '{}';
