-- The document list pages by keyset in three orders; each index leads with the tenant and ends with the id
-- that breaks ties, so a page is one index range scan whatever its position.
DROP INDEX document_customer;
CREATE INDEX document_list_updated ON document (customer_id, updated_at, document_id);
CREATE INDEX document_list_created ON document (customer_id, created_at, document_id);
CREATE INDEX document_list_title ON document (customer_id, title, document_id);
-- Metadata equality filters: every scalar value and list item as 'key=text' (numbers in their plain decimal
-- form), so a filter is one array overlap, served by this index. Metadata came with V5, so no row has any yet.
ALTER TABLE document ADD COLUMN metadata_terms TEXT[] NOT NULL DEFAULT '{}';
CREATE INDEX document_metadata_terms ON document USING GIN (metadata_terms);
