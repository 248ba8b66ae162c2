package io.dynrag.api.mcp;

import io.dynrag.api.Refusals;
import io.dynrag.api.audit.ToolCallLog;
import io.dynrag.api.document.DocumentNotFoundException;
import io.dynrag.identity.credentials.Principal;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.persistence.Statements;
import io.dynrag.platform.testing.TestDatabase;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every tool call is kept in the tool-call log before its answer goes out, refusals too; a call the log cannot
 * keep is refused with 503, unless it already added a document, whose events record it.
 */
class ToolCallKeepingTest {

    private static final String SCHEMA = """
            {"type": "object", "properties": {"documentId": {"type": "string"}}, "required": ["documentId"],
             "additionalProperties": false}""";
    private static final String CUSTOMER = UUID.randomUUID().toString();
    private static final String DOCUMENT = UUID.randomUUID().toString();

    private final TestDatabase database = TestDatabase.get();
    private final AtomicInteger runs = new AtomicInteger();
    /** What the role's request metrics are told, one "route status" a call. */
    private final List<String> told = new CopyOnWriteArrayList<>();
    private final McpCall call = new McpCall(new Principal.CustomerKey(CUSTOMER, "key-1", Set.of(Scope.READ)),
            "corr-" + UUID.randomUUID());

    @BeforeEach
    @AfterEach
    void empty() {
        database.truncate("mcp_tool_call");
    }

    @Test
    void answeredRefusedAndMalformedCallsAreKeptWithTheirOutcome() {
        McpTool found = tool("found", true, (customerId, arguments, call) -> {
            runs.incrementAndGet();
            return ToolAnswer.of(Map.of("documentId", DOCUMENT), "found", arguments.requiredText("documentId"));
        });
        McpTool missing = tool("missing", true, (customerId, arguments, call) -> {
            throw new DocumentNotFoundException(arguments.requiredText("documentId"));
        });
        McpEndpoint endpoint = endpoint(new ToolCallLog(database.transactions()), found, missing);

        assertThat(endpoint.answer(found, call, Map.of("documentId", DOCUMENT)).isError()).isFalse();
        assertThat(endpoint.answer(missing, call, Map.of("documentId", DOCUMENT)).isError()).isTrue();
        assertThat(endpoint.answer(found, call, Map.of("documentId", 5)).isError()).isTrue();

        assertThat(runs).as("arguments outside the schema never reach the tool").hasValue(1);
        assertThat(kept("tool || ' ' || status || ' ' || coalesce(reason, '-') || ' ' || actor || ' ' || "
                + "array_to_string(document_ids, ',')")).containsExactly(
                "found 200 - apiKey:key-1 " + DOCUMENT,
                "missing 404 not_found apiKey:key-1 " + DOCUMENT,
                "found 400 invalid_arguments apiKey:key-1 ");
        assertThat(kept("correlation_id")).containsOnly(call.correlationId());
        // Each call is a request of its own for the metrics, with the status its REST route would answer.
        assertThat(told).containsExactly("MCP found 200", "MCP missing 404", "MCP found 400");
    }

    @Test
    void aReadTheLogCannotKeepIsRefusedWith503AndItsAnswerWithheld() {
        McpTool read = tool("read", true, (customerId, arguments, call) -> ToolAnswer.of(Map.of("secret", "text"),
                "the document's text", DOCUMENT));
        McpEndpoint endpoint = endpoint(unavailableLog(), read);

        McpSchema.CallToolResult result = endpoint.answer(read, call, Map.of("documentId", DOCUMENT));

        assertThat(result.isError()).isTrue();
        assertThat(text(result)).startsWith("503").doesNotContain("the document's text");
    }

    @Test
    void anAddTheLogCannotKeepStillAnswersAsItsEventsRecordIt() {
        McpTool add = tool("add", false, (customerId, arguments, call) -> ToolAnswer.of(Map.of("documentId", DOCUMENT),
                "added", DOCUMENT));
        McpEndpoint endpoint = endpoint(unavailableLog(), add);

        McpSchema.CallToolResult result = endpoint.answer(add, call, Map.of("documentId", DOCUMENT));

        assertThat(result.isError()).isFalse();
        assertThat(text(result)).isEqualTo("added");
    }

    private static McpTool tool(String name, boolean readOnly, McpTool.Handler handler) {
        return McpTool.of(name, name, "a tool of this test", SCHEMA, readOnly, Scope.READ, handler);
    }

    /** The endpoint without HTTP: {@code answer} is called as the server calls it, with the caller it resolved. */
    private McpEndpoint endpoint(ToolCallLog log, McpTool... tools) {
        return new McpEndpoint(null, Refusals.mapping(), List.of(tools), log,
                (route, status, took) -> told.add(route + " " + status), Clock.systemUTC());
    }

    private static ToolCallLog unavailableLog() {
        return new ToolCallLog(() -> {
            throw new SQLException("the database is down");
        });
    }

    private List<String> kept(String expression) {
        return new Statements(database.transactions(), "tool-call log").query(row -> row.getString(1),
                "SELECT " + expression + " FROM mcp_tool_call ORDER BY call_id");
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().getFirst()).text();
    }
}
