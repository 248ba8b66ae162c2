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
import java.util.function.Consumer;

/**
 * The event history over HTTP: a customer's own (its account and its documents), and any
 * customer's, or everyone's, for admins. Pages follow the global order of the event store.
 */
public final class AuditEndpoints implements Consumer<RoutesConfig> {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1_000;

    private final Access access;
    private final AuditLog log;
    private final DocumentIntake documents;
    private final CustomerAccounts customers;

    /** @param documents answers which documents a customer owns */
    public AuditEndpoints(Access access, AuditLog log, DocumentIntake documents, CustomerAccounts customers) {
        this.access = access;
        this.log = log;
        this.documents = documents;
        this.customers = customers;
    }

    /** @param nextCursor absent on the last page */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AuditPage(List<AuditEvent> events, String nextCursor) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/audit/events", this::customerEvents);
        routes.get("/v1/admin/audit/events", this::adminEvents);
    }

    private void customerEvents(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        respond(ctx, Optional.of(customerId), ownedDocument(ctx, customerId));
    }

    private void adminEvents(Context ctx) {
        access.admin(ctx);
        Optional<String> customerId = parameter(ctx, "customerId");
        customerId.filter(id -> !Ids.isUuid(id) || customers.find(id).isEmpty()).ifPresent(id -> {
            throw ApiProblem.notFound("no customer " + id);
        });
        Optional<String> documentId = customerId.isPresent() ? ownedDocument(ctx, customerId.get())
                : parameter(ctx, "documentId").map(AuditEndpoints::anyDocument);
        respond(ctx, customerId, documentId);
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
        Optional<Instant> from = QueryParameters.instant(ctx, "from");
        Optional<Instant> to = QueryParameters.instant(ctx, "to");
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw ApiProblem.badRequest("'from' must not be after 'to'");
        }
        long after = parameter(ctx, "cursor").map(AuditCursor::position).orElse(-1L);
        int limit = QueryParameters.limit(ctx, DEFAULT_LIMIT, MAX_LIMIT);
        AuditLog.Page page = log.page(new AuditQuery(customerId, documentId, from, to, after, limit));
        ctx.json(new AuditPage(page.events(), page.nextCursor().orElse(null)));
    }
}
