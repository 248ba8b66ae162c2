package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.QueryParameters;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;

/** {@code GET /v1/documents/{documentId}/content}: the bytes of a version as they were uploaded. */
public final class DocumentContentEndpoints implements Consumer<RoutesConfig> {

    private final Access access;
    private final DocumentIntake intake;
    private final EventStoreDocumentLookup history;
    private final DocumentObjects objects;

    public DocumentContentEndpoints(Access access, DocumentIntake intake, EventStoreDocumentLookup history,
                                    DocumentObjects objects) {
        this.access = access;
        this.intake = intake;
        this.history = history;
        this.objects = objects;
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.get("/v1/documents/{documentId}/content", this::content);
    }

    /** The latest version, the one named by {@code version}, or the one that was the latest at {@code asOf}. */
    private void content(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        DocumentStates.DocumentState state = intake.existing(customerId, ctx.pathParam("documentId"));
        if (state.deleted()) {
            throw new DocumentDeletedException(state.documentId());
        }
        Optional<Instant> asOf = QueryParameters.instant(ctx, "asOf");
        String requested = ctx.queryParam("version");
        if (asOf.isPresent() && requested != null) {
            throw ApiProblem.badRequest("give 'version' or 'asOf', not both");
        }
        int version = asOf.isPresent()
                ? history.findAsOf(customerId, state.documentId(), asOf.get()).map(DocumentView::version)
                        .orElseThrow(() -> ApiProblem.notFound("document " + state.documentId()
                                + " did not exist yet at " + asOf.get()))
                : requested == null ? state.latestVersion() : DocumentChunksEndpoints.version(requested);
        EventStoreDocumentLookup.StoredVersion stored = history.storedVersion(customerId, state.documentId(), version)
                .orElseThrow(() -> ApiProblem.notFound("document " + state.documentId() + " has no version "
                        + version));
        InputStream bytes = objects.open(stored.s3Key()).orElseThrow(() -> ApiProblem.notFound(
                "the bytes of version " + version + " of document " + state.documentId() + " are no longer stored"));
        ctx.header("X-Document-Version", Integer.toString(version));
        ctx.contentType(stored.contentType()).result(bytes);
    }
}
