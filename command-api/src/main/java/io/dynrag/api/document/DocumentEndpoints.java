package io.dynrag.api.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.ChangeDocumentMetadata;
import io.dynrag.domain.document.DeleteDocument;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.http.MultipartBodies;
import io.dynrag.platform.http.QueryParameters;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Uploading, versioning, reading, changing and deleting documents over HTTP. */
public final class DocumentEndpoints implements Consumer<RoutesConfig> {

    private static final ObjectMapper PATCH_BODY = Json.apiMapper();

    private final Access access;
    private final CommandGateway commands;
    private final DocumentIntake intake;
    private final UrlIntake urls;
    private final DocumentReads reads;
    private final DocumentLookup eventStore;
    private final EventStoreDocumentLookup history;

    /**
     * @param reads      documents as they are now
     * @param eventStore documents from their events, for a change's answer
     * @param history    documents as they were at an earlier instant ({@code ?asOf=})
     */
    public DocumentEndpoints(Access access, CommandGateway commands, DocumentIntake intake, UrlIntake urls,
                             DocumentReads reads, DocumentLookup eventStore, EventStoreDocumentLookup history) {
        this.access = access;
        this.commands = commands;
        this.intake = intake;
        this.urls = urls;
        this.reads = reads;
        this.eventStore = eventStore;
        this.history = history;
    }

    /** @param unchanged true when the bytes equal the latest version, which {@code version} names */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record UploadAccepted(String documentId, int version, String status, Boolean unchanged) {
    }

    public record VersionList(String documentId, List<DocumentView> versions) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/documents", this::upload);
        routes.get("/v1/documents/{documentId}", this::get);
        routes.patch("/v1/documents/{documentId}", this::change);
        routes.delete("/v1/documents/{documentId}", this::delete);
        routes.post("/v1/documents/{documentId}/versions", this::uploadVersion);
        routes.get("/v1/documents/{documentId}/versions", this::versions);
    }

    private void upload(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        DocumentIntake.Accepted accepted = isJson(ctx)
                ? urls.create(customerId, ctx.bodyAsClass(UrlIntake.UrlRequest.class), IdempotentPosts.newIds(ctx), 0)
                : intake.create(customerId, multipart(ctx, customerId), IdempotentPosts.newIds(ctx), 0);
        ctx.status(202).json(new UploadAccepted(accepted.documentId(), accepted.version(), accepted.status(), null));
    }

    private void uploadVersion(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        String documentId = intake.existing(customerId, ctx.pathParam("documentId")).documentId();
        DocumentIntake.Accepted accepted = isJson(ctx)
                ? urls.addVersion(customerId, documentId, ctx.bodyAsClass(UrlIntake.UrlRequest.class))
                : intake.addVersion(customerId, documentId, multipart(ctx, customerId));
        respond(ctx, customerId, accepted);
    }

    /** 202 for a new version; 200 naming the current version and its status for identical bytes. */
    void respond(Context ctx, String customerId, DocumentIntake.Accepted accepted) {
        if (accepted.created()) {
            ctx.status(202).json(new UploadAccepted(accepted.documentId(), accepted.version(), accepted.status(), null));
            return;
        }
        String status = reads.current(customerId, accepted.documentId()).filter(view -> view.version() == accepted.version())
                .map(DocumentView::status).orElse("PENDING");
        ctx.status(200).json(new UploadAccepted(accepted.documentId(), accepted.version(), status, true));
    }

    private void get(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        String documentId = ctx.pathParam("documentId");
        Optional<Instant> asOf = QueryParameters.instant(ctx, "asOf");
        if (asOf.isPresent()) {
            String owned = intake.existing(customerId, documentId).documentId();
            ctx.json(history.findAsOf(customerId, owned, asOf.get())
                    .orElseThrow(() -> notYet(documentId, asOf.get())));
            return;
        }
        ctx.json(reads.current(customerId, documentId).orElseThrow(() -> ApiProblem.notFound("no document " + documentId)));
    }

    private void versions(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        Optional<Instant> asOf = QueryParameters.instant(ctx, "asOf");
        DocumentStates.DocumentState state = intake.existing(customerId, ctx.pathParam("documentId"));
        if (asOf.isPresent()) {
            List<DocumentView> then = history.versionsAsOf(customerId, state.documentId(), asOf.get());
            if (then.isEmpty()) {
                throw notYet(state.documentId(), asOf.get());
            }
            ctx.json(new VersionList(state.documentId(), then));
            return;
        }
        ctx.json(new VersionList(state.documentId(), reads.versions(customerId, state)));
    }

    private static ApiProblem notYet(String documentId, Instant asOf) {
        return ApiProblem.notFound("document " + documentId + " did not exist yet at " + asOf);
    }

    private void delete(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        DocumentStates.DocumentState state = intake.existing(customerId, ctx.pathParam("documentId"));
        commands.sendAndWait(new DeleteDocument(state.documentId()));
        ctx.status(202).json(new UploadAccepted(state.documentId(), state.latestVersion(), "DELETED", null));
    }

    /**
     * A JSON merge patch of the document's title and metadata: {@code title} replaces the title, {@code metadata}
     * sets its keys with values and removes those with null, {@code "metadata": null} removes it all. Nothing is
     * uploaded or indexed again; a change that changes nothing records nothing, so a repeat is harmless.
     */
    private void change(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        DocumentStates.DocumentState state = intake.existing(customerId, ctx.pathParam("documentId"));
        Map<String, Object> body = patchBody(ctx);
        Object title = body.get("title");
        if (body.containsKey("title") && !(title instanceof String text && !text.isBlank()
                && text.strip().length() <= DocumentIntake.MAX_TITLE_LENGTH)) {
            throw ApiProblem.badRequest("'title' must be text of 1-" + DocumentIntake.MAX_TITLE_LENGTH
                    + " characters");
        }
        Object metadata = body.get("metadata");
        if (metadata != null && !(metadata instanceof Map)) {
            throw ApiProblem.badRequest("'metadata' must be a JSON object (or null to remove all of it)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> patch = (Map<String, Object>) metadata;
        commands.sendAndWait(new ChangeDocumentMetadata(state.documentId(), customerId, (String) title, patch,
                body.containsKey("metadata") && metadata == null));
        ctx.json(eventStore.find(customerId, state.documentId())
                .orElseThrow(() -> ApiProblem.notFound("no document " + state.documentId())));
    }

    private static Map<String, Object> patchBody(Context ctx) {
        Map<String, Object> body;
        try {
            body = PATCH_BODY.readValue(ctx.body(), new TypeReference<Map<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw ApiProblem.badRequest("the body must be a JSON object {\"title\"?, \"metadata\"?}: "
                    + e.getOriginalMessage());
        }
        if (body == null || body.isEmpty()) {
            throw ApiProblem.badRequest("the body must change 'title' and/or 'metadata'");
        }
        body.keySet().stream().filter(field -> !field.equals("title") && !field.equals("metadata")).findFirst()
                .ifPresent(field -> {
                    throw ApiProblem.badRequest("unknown field '" + field + "': a change has 'title' and/or "
                            + "'metadata'");
                });
        return body;
    }

    /** A JSON body names the document by URL; anything else must be a multipart upload. */
    public static boolean isJson(Context ctx) {
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT);
        return contentType.startsWith("application/json");
    }

    /** The document in a multipart body: the field {@code file}, an optional {@code title} and {@code metadata}. */
    private DocumentIntake.Content multipart(Context ctx, String customerId) {
        long maxBytes = intake.maxBytesFor(customerId);
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiProblem.unsupportedMediaType("upload the document as multipart/form-data with the file in "
                    + "the field 'file' (and an optional 'title'), or send application/json {\"url\", \"title\"}");
        }
        if (ctx.req().getContentLengthLong() > maxBytes + 64 * 1024) {
            throw ApiProblem.tooLarge("the upload is larger than your limit of " + maxBytes + " bytes");
        }
        UploadedFile file = MultipartBodies.read(() -> ctx.uploadedFile("file"),
                () -> ApiProblem.tooLarge("the upload is larger than your limit of " + maxBytes + " bytes"));
        if (file == null) {
            throw ApiProblem.badRequest("the multipart field 'file' is missing");
        }
        refuseStrayParts(ctx);
        return new DocumentIntake.Content(file.filename(), ctx.formParam("title"), file::content,
                MetadataField.parse(ctx.formParam("metadata"), "metadata"));
    }

    /**
     * An upload has one {@code file} part and at most one {@code title} and {@code metadata}: a part by any
     * other name (a misspelt {@code titel}, a second file) would otherwise be dropped without the client
     * ever hearing of it, as the batch upload refuses it too.
     */
    private static void refuseStrayParts(Context ctx) {
        ctx.uploadedFileMap().forEach((name, files) -> {
            if (!name.equals("file")) {
                throw ApiProblem.badRequest("unknown field '" + name + "': an upload has the parts 'file', "
                        + "'title' and 'metadata'");
            }
            if (files.size() != 1) {
                throw ApiProblem.badRequest("the field 'file' is given " + files.size() + " times: upload one "
                        + "document here, or several with POST /v1/documents/batch");
            }
        });
        // The form's parameters name its file parts too.
        ctx.formParamMap().forEach((name, values) -> {
            if (name.equals("file")) {
                return;
            }
            if (!name.equals("title") && !name.equals("metadata")) {
                throw ApiProblem.badRequest("unknown field '" + name + "': an upload has the parts 'file', "
                        + "'title' and 'metadata'");
            }
            if (values.size() != 1) {
                throw ApiProblem.badRequest("the field '" + name + "' is given " + values.size() + " times");
            }
        });
    }
}
