package io.dynrag.api.mcp;

import io.dynrag.api.audit.ToolCall;
import io.dynrag.platform.http.Ids;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a tool call ended, as the tool-call log keeps it: never its arguments or answer (a query or a document's
 * text may be personal data), only the ids of the documents involved and how many results it answered.
 *
 * @param reason a refusal's short code; null when the call succeeded
 */
record ToolCallEntry(boolean ok, int status, String reason, List<String> documentIds, Integer resultCount) {

    /** The reason of a call whose arguments do not fit the tool's input schema. */
    static final String INVALID_ARGUMENTS = "invalid_arguments";

    static ToolCallEntry ok(ToolAnswer answer) {
        return new ToolCallEntry(true, 200, null, answer.documentIds(), answer.resultCount());
    }

    /**
     * @param arguments the call's: a well-formed {@code documentId} among them is kept, as the document the call
     *                  asked for; anything else the caller wrote is not
     */
    static ToolCallEntry refused(int status, String reason, Map<String, Object> arguments) {
        Object documentId = arguments == null ? null : arguments.get("documentId");
        List<String> asked = documentId instanceof String id && Ids.isUuid(id) ? List.of(id) : List.of();
        return new ToolCallEntry(false, status, reason, asked, null);
    }

    ToolCall toolCall(String customerId, Instant time, String tool, McpCall call) {
        String actor = call.principal().actor();
        return ok ? ToolCall.ok(customerId, time, tool, actor, call.correlationId(), documentIds, resultCount)
                : ToolCall.refused(customerId, time, tool, actor, call.correlationId(), status, reason, documentIds);
    }
}
