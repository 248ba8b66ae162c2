-- Every call of an MCP tool, beside the event store: reads are no changes, so they are no events, yet an auditor
-- asks who read what and when. One row per call, kept for the retention the API is configured with and deleted
-- with its customer. Only what identifies the call is kept, never its query or a document's text (either may be
-- personal data): who (actor as the audit trail names it), under which request (correlation_id), which tool, how
-- it ended (status 200, or the refusal's status and a short reason code), the documents it named and how many
-- results it answered. call_id orders the log and is its cursor.
CREATE TABLE mcp_tool_call (
    call_id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    VARCHAR(64)  NOT NULL,
    called_at      TIMESTAMPTZ  NOT NULL,
    actor          VARCHAR(255) NOT NULL,
    correlation_id VARCHAR(128) NOT NULL,
    tool           VARCHAR(64)  NOT NULL,
    status         INTEGER      NOT NULL,
    reason         VARCHAR(64),
    document_ids   VARCHAR(64)[] NOT NULL,
    result_count   INTEGER
);
CREATE INDEX mcp_tool_call_customer ON mcp_tool_call (customer_id, call_id);
CREATE INDEX mcp_tool_call_called_at ON mcp_tool_call (called_at);
