package io.dynrag.api.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dynrag.api.document.DocumentChunksEndpoints;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.DocumentListEndpoints;
import io.dynrag.api.document.DocumentReads;
import io.dynrag.api.document.UrlIntake;
import io.dynrag.api.search.SearchService;
import io.dynrag.api.usage.UsageRecording;
import io.dynrag.identity.access.Access;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.http.ProblemDetails;
import io.dynrag.platform.http.ProblemMapping;
import io.dynrag.platform.http.ServletBridge;
import io.dynrag.platform.idempotency.IdempotentCalls;
import io.dynrag.platform.persistence.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.axonframework.commandhandling.CommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code POST /mcp}: the Model Context Protocol over Streamable HTTP, stateless (every request stands alone, so
 * any instance of the API answers it, and no session outlives its request). The request is authenticated and
 * rate-limited like every REST request, by the same bearer credentials; each tool then requires the scope of the
 * REST route it stands for and calls the same services. Refusals are tool results with {@code isError}, their
 * text the REST answer's status and detail; a request without valid credentials is refused before MCP sees it,
 * with 401 and {@code WWW-Authenticate: Bearer}.
 */
public final class McpEndpoint implements Consumer<RoutesConfig>, AutoCloseable {

    static final String PATH = "/mcp";

    private static final Logger log = LoggerFactory.getLogger(McpEndpoint.class);
    private static final String INSTRUCTIONS = "Search the customer's documents with 'search' and quote the chunks "
            + "it answers with their citations (document id and title, version, chunk index, page). Read a whole "
            + "document with 'read_document'. Add documents with 'add_text_document' or 'add_document_from_url', "
            + "then call 'document_status' until the document is INDEXED before searching it.";

    private final Access access;
    private final ProblemMapping refusals;
    private final HttpServletStatelessServerTransport transport;
    private final McpStatelessSyncServer server;

    /**
     * The server with every tool, each calling what its REST route calls.
     *
     * @param refusals the problem each of the services' exceptions answers (the REST API's)
     * @param keyed    the REST API's Idempotency-Key records, which the tools that add documents share
     */
    public static McpEndpoint of(Access access, ProblemMapping refusals, SearchService search, DocumentReads reads,
                                 DocumentIntake intake, UrlIntake urls, DocumentListEndpoints list,
                                 DocumentChunksEndpoints chunks, IdempotentCalls keyed) {
        List<McpTool> tools = new ArrayList<>();
        tools.add(SearchTool.of(search));
        tools.addAll(new DocumentTools(reads, intake, list, chunks).tools());
        tools.addAll(new IntakeTools(intake, urls, keyed).tools());
        return new McpEndpoint(access, refusals, tools);
    }

    McpEndpoint(Access access, ProblemMapping refusals, List<McpTool> tools) {
        this.access = access;
        this.refusals = refusals;
        this.transport = HttpServletStatelessServerTransport.builder()
                .messageEndpoint(PATH)
                .contextExtractor(request -> McpTransportContext.create(
                        Map.of(McpCall.KEY, request.getAttribute(McpCall.KEY))))
                .build();
        this.server = McpServer.sync(transport)
                .serverInfo("dynrag", "1")
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .validateToolInputs(true)
                // The tool runs on the request's thread, which carries the caller and correlation id its
                // commands are recorded with.
                .immediateExecution(true)
                .tools(tools.stream().map(this::specification).toList())
                .build();
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::serve);
    }

    private void serve(Context ctx) {
        McpCall call = new McpCall(access.principal(ctx));
        // The transport refuses other types itself, but with its exception serialised, stack trace and all.
        if (!Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT)
                .startsWith("application/json")) {
            throw ApiProblem.unsupportedMediaType("an MCP message is JSON: send it as application/json");
        }
        ctx.attribute(McpCall.KEY, call);
        ServletBridge.serve(transport, ctx);
        if (call.answeredSearch()) {
            ctx.attribute(UsageRecording.ANSWERED_SEARCH, true);
        }
    }

    private McpStatelessServerFeatures.SyncToolSpecification specification(McpTool tool) {
        return new McpStatelessServerFeatures.SyncToolSpecification(tool.definition(),
                (context, request) -> answer(tool, (McpCall) context.get(McpCall.KEY), new Arguments(request.arguments())));
    }

    private McpSchema.CallToolResult answer(McpTool tool, McpCall call, Arguments arguments) {
        try {
            String customerId = Access.customer(call.principal(), tool.scope()).customerId();
            ToolAnswer answer = tool.handler().call(customerId, arguments, call);
            return McpSchema.CallToolResult.builder()
                    .structuredContent(Json.apiMapper().convertValue(answer.structured(),
                            new TypeReference<Map<String, Object>>() { }))
                    .addTextContent(answer.text())
                    .isError(false)
                    .build();
        } catch (ApiProblem problem) {
            return refused(problem);
        } catch (CommandExecutionException e) {
            return refused(e.getCause() != null ? e.getCause() : e, tool);
        } catch (RuntimeException e) {
            return refused(e, tool);
        }
    }

    private McpSchema.CallToolResult refused(Throwable failure, McpTool tool) {
        return refusals.problemFor(failure).map(McpEndpoint::refused).orElseGet(() -> {
            if (failure instanceof DatabaseException) {
                log.error("Database failure in the MCP tool {}", tool.definition().name(), failure);
                return refused(ApiProblem.unavailable("the database is unavailable; retry shortly"));
            }
            log.error("Unexpected failure in the MCP tool {}", tool.definition().name(), failure);
            return refused(new ApiProblem(500, "Internal Server Error", "the tool failed unexpectedly; it was logged"));
        });
    }

    /** A refusal as the tool's result: the REST answer's problem, and its status and detail as text. */
    private static McpSchema.CallToolResult refused(ApiProblem problem) {
        ProblemDetails details = ProblemDetails.of(problem, PATH);
        return McpSchema.CallToolResult.builder()
                .structuredContent(Json.apiMapper().convertValue(details, new TypeReference<Map<String, Object>>() { }))
                .addTextContent(problem.status() + " " + problem.title() + ": " + problem.detail()
                        + problem.retryAfter().map(wait -> " (retry after " + wait.toSeconds() + " s)").orElse(""))
                .isError(true)
                .build();
    }

    @Override
    public void close() {
        server.close();
    }
}
