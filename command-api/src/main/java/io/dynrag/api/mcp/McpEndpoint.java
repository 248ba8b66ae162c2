package io.dynrag.api.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import io.dynrag.api.document.DocumentChunksEndpoints;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.DocumentListEndpoints;
import io.dynrag.api.document.DocumentReads;
import io.dynrag.api.audit.ToolCallLog;
import io.dynrag.api.document.UrlIntake;
import io.dynrag.api.search.SearchService;
import io.dynrag.api.usage.UsageRecording;
import io.dynrag.identity.access.Access;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.http.ProblemDetails;
import io.dynrag.platform.http.ProblemMapping;
import io.dynrag.platform.http.RequestObserver;
import io.dynrag.platform.http.ServletBridge;
import io.dynrag.platform.idempotency.IdempotentCalls;
import io.dynrag.platform.origin.CurrentOrigin;
import io.dynrag.platform.origin.Origin;
import io.dynrag.platform.persistence.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.util.ToolInputValidator;
import org.axonframework.commandhandling.CommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
 * with 401 and {@code WWW-Authenticate: Bearer}. Every tool call of a customer, answered or refused, is kept in the
 * tool-call log ({@link ToolCallLog}) before its answer goes out.
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
    private final ToolCallLog toolCalls;
    private final RequestObserver requests;
    private final Clock clock;
    private final JsonSchemaValidator schemas = McpJsonDefaults.getSchemaValidator();
    private final List<String> toolNames;
    private final HttpServletStatelessServerTransport transport;
    private final McpStatelessSyncServer server;

    /**
     * The server with every tool, each calling what its REST route calls.
     *
     * @param refusals the problem each of the services' exceptions answers (the REST API's)
     * @param keyed    the REST API's Idempotency-Key records, which the tools that add documents share
     * @param toolCalls where every tool call is kept
     * @param requests  told of every tool call as of a request of its own, for the role's metrics
     */
    public static McpEndpoint of(Access access, ProblemMapping refusals, SearchService search, DocumentReads reads,
                                 DocumentIntake intake, UrlIntake urls, DocumentListEndpoints list,
                                 DocumentChunksEndpoints chunks, IdempotentCalls keyed, ToolCallLog toolCalls,
                                 RequestObserver requests, Clock clock) {
        List<McpTool> tools = new ArrayList<>();
        tools.add(SearchTool.of(search));
        tools.addAll(new DocumentTools(reads, intake, list, chunks).tools());
        tools.addAll(new IntakeTools(intake, urls, keyed).tools());
        return new McpEndpoint(access, refusals, tools, toolCalls, requests, clock);
    }

    McpEndpoint(Access access, ProblemMapping refusals, List<McpTool> tools, ToolCallLog toolCalls,
                RequestObserver requests, Clock clock) {
        this.access = access;
        this.refusals = refusals;
        this.toolCalls = toolCalls;
        this.requests = requests;
        this.clock = clock;
        this.toolNames = tools.stream().map(tool -> tool.definition().name()).toList();
        this.transport = HttpServletStatelessServerTransport.builder()
                .messageEndpoint(PATH)
                .contextExtractor(request -> McpTransportContext.create(
                        Map.of(McpCall.KEY, request.getAttribute(McpCall.KEY))))
                .build();
        this.server = McpServer.sync(transport)
                .serverInfo("dynrag", "1")
                .instructions(INSTRUCTIONS)
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                // Checked by each tool's call instead (see answer), so that the tool-call log keeps its refusal.
                .validateToolInputs(false)
                // The tool runs on the request's thread, which carries the caller and correlation id its
                // commands are recorded with.
                .immediateExecution(true)
                .tools(tools.stream().map(this::specification).toList())
                .build();
    }

    /** The names of the tools, as clients list and call them. */
    public List<String> toolNames() {
        return toolNames;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post(PATH, this::serve);
    }

    private void serve(Context ctx) throws IOException {
        McpCall call = new McpCall(access.principal(ctx), CurrentOrigin.get().map(Origin::correlationId)
                .orElseThrow(() -> new IllegalStateException("every request has an origin")));
        // The transport refuses other types itself, but with its exception serialised, stack trace and all.
        if (!Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT)
                .startsWith("application/json")) {
            throw ApiProblem.unsupportedMediaType("an MCP message is JSON: send it as application/json");
        }
        JsonRpcMessage.check(ctx.bodyAsBytes());
        ctx.attribute(McpCall.KEY, call);
        ServletBridge.serve(transport, ctx);
        if (call.answeredSearch()) {
            ctx.attribute(UsageRecording.ANSWERED_SEARCH, true);
        }
    }

    private McpStatelessServerFeatures.SyncToolSpecification specification(McpTool tool) {
        return new McpStatelessServerFeatures.SyncToolSpecification(tool.definition(),
                (context, request) -> answer(tool, (McpCall) context.get(McpCall.KEY), request.arguments()));
    }

    /**
     * The tool's answer, kept in the tool-call log before it goes out. The arguments are checked against the
     * tool's input schema here rather than by the server, so that a call refused for them is kept too.
     */
    McpSchema.CallToolResult answer(McpTool tool, McpCall call, Map<String, Object> values) {
        Instant started = clock.instant();
        McpSchema.CallToolResult invalid = ToolInputValidator.validate(tool.definition(), values, true, schemas);
        if (invalid != null) {
            return kept(tool, call, started, invalid,
                    ToolCallEntry.refused(400, ToolCallEntry.INVALID_ARGUMENTS, values));
        }
        ApiProblem problem;
        try {
            String customerId = Access.customer(call.principal(), tool.scope()).customerId();
            ToolAnswer answer = tool.handler().call(customerId, new Arguments(values), call);
            return kept(tool, call, started, McpSchema.CallToolResult.builder()
                    .structuredContent(Json.apiMapper().convertValue(answer.structured(),
                            new TypeReference<Map<String, Object>>() { }))
                    .addTextContent(answer.text())
                    .isError(false)
                    .build(), ToolCallEntry.ok(answer));
        } catch (ApiProblem refusal) {
            problem = refusal;
        } catch (CommandExecutionException e) {
            problem = problem(e.getCause() != null ? e.getCause() : e, tool);
        } catch (RuntimeException e) {
            problem = problem(e, tool);
        }
        return kept(tool, call, started, refused(problem),
                ToolCallEntry.refused(problem.status(), reason(problem), values));
    }

    /**
     * Keeps the call in the tool-call log and answers {@code result}. A call that cannot be kept is refused with
     * 503, as the audit trail must not lose it silently, unless it already added a document: then its events record
     * it with the same actor and correlation id, and a refusal would only invite a retry that adds it again.
     */
    private McpSchema.CallToolResult kept(McpTool tool, McpCall call, Instant started,
                                          McpSchema.CallToolResult result, ToolCallEntry entry) {
        requests.answered(RequestObserver.toolCall(tool.definition().name()), entry.status(),
                Duration.between(started, clock.instant()));
        Optional<String> customerId = call.customerId();
        if (customerId.isEmpty()) {
            // An admin has no tenant whose log could keep the call, and every tool refuses it.
            return result;
        }
        String name = tool.definition().name();
        try {
            toolCalls.record(entry.toolCall(customerId.get(), clock.instant(), name, call));
            return result;
        } catch (RuntimeException e) {
            if (entry.ok() && !Boolean.TRUE.equals(tool.definition().annotations().readOnlyHint())) {
                log.error("The call of the MCP tool {} (correlation id {}) added a document but could not be kept in "
                        + "the tool-call log; the document's events record it", name, call.correlationId(), e);
                return result;
            }
            log.error("The call of the MCP tool {} (correlation id {}) could not be kept in the tool-call log; "
                    + "refusing it", name, call.correlationId(), e);
            return refused(ApiProblem.unavailable("the call could not be kept in the audit trail; retry shortly"));
        }
    }

    /** The refusal's title as a short code, e.g. {@code not_found} for 404 Not Found. */
    private static String reason(ApiProblem problem) {
        return problem.title().strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }

    private ApiProblem problem(Throwable failure, McpTool tool) {
        return refusals.problemFor(failure).orElseGet(() -> {
            if (failure instanceof DatabaseException) {
                log.error("Database failure in the MCP tool {}", tool.definition().name(), failure);
                return ApiProblem.unavailable("the database is unavailable; retry shortly");
            }
            log.error("Unexpected failure in the MCP tool {}", tool.definition().name(), failure);
            return new ApiProblem(500, "Internal Server Error", "the tool failed unexpectedly; it was logged");
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
