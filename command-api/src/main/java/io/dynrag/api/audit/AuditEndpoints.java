package io.dynrag.api.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Ids;
import io.dynrag.platform.http.QueryParameters;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The event history over HTTP: a customer's own (its account and its documents), and any
 * customer's, or everyone's, for admins. Pages follow the global order of the event store. Beside it, the log of
 * MCP tool calls ({@link ToolCallLog}), listed with the same parameters, paging and refusals.
 */
public final class AuditEndpoints implements Consumer<RoutesConfig> {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    private final Access access;
    private final AuditLog log;
    private final DocumentIntake documents;
    private final CustomerAccounts customers;
    private final ToolCallLog toolCalls;
    private final SortedSet<String> tools;

    /**
     * @param documents answers which documents a customer owns
     * @param tools     the names of the MCP tools, which the {@code tool} parameter must be one of
     */
    public AuditEndpoints(Access access, AuditLog log, DocumentIntake documents, CustomerAccounts customers,
                          ToolCallLog toolCalls, Set<String> tools) {
        this.access = access;
        this.log = log;
        this.documents = documents;
        this.customers = customers;
        this.toolCalls = toolCalls;
        this.tools = new TreeSet<>(tools);
    }

    /** @param nextCursor absent on the last page */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditPage(List<AuditEvent> events, String nextCursor) {
    }

    /** @param nextCursor absent on the last page */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ToolCallPage(List<ToolCall> toolCalls, String nextCursor) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/audit/events", this::customerEvents);
        routes.get("/v1/admin/audit/events", this::adminEvents);
        routes.get("/v1/audit/tool-calls", this::customerToolCalls);
        routes.get("/v1/admin/audit/tool-calls", this::adminToolCalls);
    }

    private void customerEvents(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        respond(ctx, Optional.of(customerId), ownedDocument(ctx, customerId));
    }

    private void adminEvents(Context ctx) {
        access.admin(ctx);
        Optional<String> customerId = knownCustomer(ctx);
        Optional<String> documentId = customerId.isPresent() ? ownedDocument(ctx, customerId.get())
                : parameter(ctx, "documentId").map(AuditEndpoints::anyDocument);
        respond(ctx, customerId, documentId);
    }

    private void customerToolCalls(Context ctx) {
        respondWithToolCalls(ctx, Optional.of(access.customer(ctx, Scope.READ).customerId()));
    }

    private void adminToolCalls(Context ctx) {
        access.admin(ctx);
        respondWithToolCalls(ctx, knownCustomer(ctx));
    }

    /** @throws ApiProblem 404 for a {@code customerId} of no customer */
    private Optional<String> knownCustomer(Context ctx) {
        Optional<String> customerId = parameter(ctx, "customerId");
        customerId.filter(id -> !Ids.isUuid(id) || customers.find(id).isEmpty()).ifPresent(id -> {
            throw ApiProblem.notFound("no customer " + id);
        });
        return customerId;
    }

    /** @throws ApiProblem 404 for a document the customer does not own, as the document endpoints answer */
    private Optional<String> ownedDocument(Context ctx, String customerId) {
        return parameter(ctx, "documentId").map(id -> documents.existing(customerId, id).documentId());
    }

    /** Without a customer there is no owner to check; an unknown document simply has no events. */
    private static String anyDocument(String documentId) {
        if (!Ids.isUuid(documentId)) {
            throw ApiProblem.notFound("no document " + documentId);
        }
        return documentId;
    }

    private static Optional<String> parameter(Context ctx, String name) {
        return Optional.ofNullable(ctx.queryParam(name)).filter(value -> !value.isBlank());
    }

    private void respond(Context ctx, Optional<String> customerId, Optional<String> documentId) {
        Window window = Window.of(ctx);
        AuditLog.Page page = log.page(new AuditQuery(customerId, documentId, window.from(), window.to(),
                window.after(), window.limit()));
        ctx.json(new AuditPage(page.events(), page.nextCursor().orElse(null)));
    }

    private void respondWithToolCalls(Context ctx, Optional<String> customerId) {
        Optional<String> tool = parameter(ctx, "tool");
        tool.filter(name -> !tools.contains(name)).ifPresent(name -> {
            throw ApiProblem.badRequest("'tool' must be one of " + String.join(", ", tools));
        });
        Window window = Window.of(ctx);
        ToolCallLog.Page page = toolCalls.page(new ToolCallQuery(customerId, tool, window.from(), window.to(),
                window.after(), window.limit()));
        ctx.json(new ToolCallPage(page.calls(), page.nextCursor().orElse(null)));
    }

    /** The parameters every audit listing takes: the time range, the cursor and the page size. */
    private record Window(Optional<Instant> from, Optional<Instant> to, long after, int limit) {

        static Window of(Context ctx) {
            Optional<Instant> from = QueryParameters.instant(ctx, "from");
            Optional<Instant> to = QueryParameters.instant(ctx, "to");
            if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
                throw ApiProblem.badRequest("'from' must not be after 'to'");
            }
            long after = parameter(ctx, "cursor").map(AuditCursor::position).orElse(-1L);
            return new Window(from, to, after, QueryParameters.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT));
        }
    }
}
