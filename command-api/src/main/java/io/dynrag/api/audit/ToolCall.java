package io.dynrag.api.audit;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * One call of an MCP tool as the tool-call log keeps it: who called which tool under which request, and how it
 * ended. Nothing the caller sent or read is kept, neither a query nor a document's text (either may be personal
 * data): only the ids of the documents it named and how many results it answered.
 *
 * @param actor         as the audit trail names whoever issued a command: {@code user:<userId>} or
 *                      {@code apiKey:<keyId>}
 * @param correlationId the request's, which its answer carries and the events of a document it added carry
 * @param outcome       {@value #OK}, or {@value #REFUSED} with the refusal's {@code status} and {@code reason}
 * @param status        the status of the REST answer the call stands for: 200, or the refusal's
 * @param reason        a refusal's short code, e.g. {@code not_found} or {@code invalid_arguments}; absent when ok
 * @param documentIds   the documents the answer named or, when refused, the one the call asked for
 * @param resultCount   how many chunks or documents the answer held; absent for a refusal and a single document
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolCall(
        String customerId,
        Instant time,
        String tool,
        String actor,
        String correlationId,
        String outcome,
        int status,
        String reason,
        List<String> documentIds,
        Integer resultCount) {

    public static final String OK = "ok";
    public static final String REFUSED = "refused";

    public ToolCall {
        documentIds = List.copyOf(documentIds);
    }

    public static ToolCall ok(String customerId, Instant time, String tool, String actor, String correlationId,
                              List<String> documentIds, Integer resultCount) {
        return new ToolCall(customerId, time, tool, actor, correlationId, OK, 200, null, documentIds, resultCount);
    }

    public static ToolCall refused(String customerId, Instant time, String tool, String actor, String correlationId,
                                   int status, String reason, List<String> documentIds) {
        return new ToolCall(customerId, time, tool, actor, correlationId, REFUSED, status, reason, documentIds, null);
    }
}
