package io.dynrag.api.document;

import io.dynrag.api.auth.Scope;
import io.dynrag.api.customer.CustomerAccounts;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.dynrag.api.http.Ids;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.document.DeleteDocument;
import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.UploadDocument;
import io.dynrag.domain.document.UploadDocumentVersion;
import io.dynrag.domain.document.VersionAccepted;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Uploading, versioning, reading and deleting documents. An upload is checked and stored in the
 * object store before the command is sent, so a {@code DocumentVersionUploaded} event only ever
 * names bytes that exist; if the command fails the stored bytes are removed again.
 */
public final class DocumentEndpoints implements Consumer<RoutesConfig> {

    private static final Logger log = LoggerFactory.getLogger(DocumentEndpoints.class);
    private static final int MAX_TITLE_LENGTH = 500;

    private final Access access;
    private final CommandGateway commands;
    private final ThreadBoundTransactionManager transactions;
    private final CustomerAccounts accounts;
    private final DocumentStates documents;
    private final DocumentObjects objects;
    private final DocumentLookup readModel;
    private final DocumentLookup eventStore;
    private final long maxUploadBytes;

    /**
     * @param readModel  the documents projection
     * @param eventStore the same answers from the events, for the moment the projection lags
     */
    public DocumentEndpoints(Access access, CommandGateway commands, ThreadBoundTransactionManager transactions,
                             CustomerAccounts accounts, DocumentStates documents, DocumentObjects objects,
                             DocumentLookup readModel, DocumentLookup eventStore, long maxUploadBytes) {
        this.access = access;
        this.commands = commands;
        this.transactions = transactions;
        this.accounts = accounts;
        this.documents = documents;
        this.objects = objects;
        this.readModel = readModel;
        this.eventStore = eventStore;
        this.maxUploadBytes = maxUploadBytes;
    }

    /** @param unchanged true when the bytes equal the latest version, which {@code version} names */
    public record UploadAccepted(String documentId, int version, String status, Boolean unchanged) {
    }

    public record VersionList(String documentId, List<DocumentView> versions) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/documents", this::upload);
        routes.get("/v1/documents/{documentId}", this::get);
        routes.delete("/v1/documents/{documentId}", this::delete);
        routes.post("/v1/documents/{documentId}/versions", this::uploadVersion);
        routes.get("/v1/documents/{documentId}/versions", this::versions);
    }

    private void upload(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        Upload upload = receive(ctx, customerId);
        String documentId = UUID.randomUUID().toString();
        String key = DocumentObjects.keyOf(customerId, documentId, upload.inspected().sha256());
        objects.put(key, upload.file()::content, upload.inspected().bytes(), upload.inspected().contentType());
        try {
            transactions.executeInTransaction(() -> {
                // The row lock makes concurrent uploads of one customer count one after the other.
                CustomerConfiguration current = accounts.findForUpdate(customerId)
                        .filter(account -> account.documentCount() < account.configuration().maxDocuments())
                        .orElseThrow(() -> new ApiProblem(403, "Forbidden", "your limit of "
                                + upload.configuration().maxDocuments() + " documents is reached; delete documents "
                                + "or raise maxDocuments"))
                        .configuration();
                commands.sendAndWait(new UploadDocument(documentId, customerId, upload.title(),
                        upload.inspected().contentType(), key, upload.inspected().sha256(), upload.inspected().bytes(),
                        indexing(current)));
            });
        } catch (RuntimeException e) {
            deleteQuietly(key);
            throw e;
        }
        ctx.status(202).json(new UploadAccepted(documentId, 1, "PENDING", null));
    }

    private void uploadVersion(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        DocumentStates.DocumentState state = existing(customerId, ctx.pathParam("documentId"));
        if (state.deleted()) {
            throw new ApiProblem(409, "Conflict", "document " + state.documentId() + " is deleted");
        }
        Upload upload = receive(ctx, customerId);
        if (upload.inspected().sha256().equals(state.latestSha256())) {
            ctx.status(200).json(unchanged(customerId, state.documentId(), state.latestVersion()));
            return;
        }
        String key = DocumentObjects.keyOf(customerId, state.documentId(), upload.inspected().sha256());
        // Bytes equal to an older version map to that version's object, which must survive a failure here.
        boolean ownObject = !objects.exists(key);
        objects.put(key, upload.file()::content, upload.inspected().bytes(), upload.inspected().contentType());
        VersionAccepted accepted;
        try {
            accepted = commands.sendAndWait(new UploadDocumentVersion(state.documentId(), customerId,
                    upload.titleGiven() ? upload.title() : null, upload.inspected().contentType(), key,
                    upload.inspected().sha256(), upload.inspected().bytes(), indexing(upload.configuration())));
        } catch (DocumentDeletedException e) {
            if (ownObject) {
                deleteQuietly(key);
            }
            throw new ApiProblem(409, "Conflict", e.getMessage());
        } catch (RuntimeException e) {
            if (ownObject) {
                deleteQuietly(key);
            }
            throw e;
        }
        if (!accepted.created()) {
            // Another request stored the same bytes a moment ago; the object is theirs as much as ours.
            ctx.status(200).json(unchanged(customerId, state.documentId(), accepted.version()));
            return;
        }
        ctx.status(202).json(new UploadAccepted(state.documentId(), accepted.version(), "PENDING", null));
    }

    private UploadAccepted unchanged(String customerId, String documentId, int version) {
        String status = lookup(customerId, documentId).filter(view -> view.version() == version)
                .map(DocumentView::status).orElse("PENDING");
        return new UploadAccepted(documentId, version, status, true);
    }

    private void get(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        String documentId = ctx.pathParam("documentId");
        ctx.json(lookup(customerId, documentId).orElseThrow(() -> ApiProblem.notFound("no document " + documentId)));
    }

    private void versions(Context ctx) {
        String customerId = access.customer(ctx, Scope.READ).customerId();
        DocumentStates.DocumentState state = existing(customerId, ctx.pathParam("documentId"));
        List<DocumentView> versions = readModel.versions(customerId, state.documentId());
        if (versions.size() < state.latestVersion()) {
            versions = eventStore.versions(customerId, state.documentId());
        }
        ctx.json(new VersionList(state.documentId(), versions));
    }

    private void delete(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        DocumentStates.DocumentState state = existing(customerId, ctx.pathParam("documentId"));
        commands.sendAndWait(new DeleteDocument(state.documentId()));
        ctx.status(202).json(new UploadAccepted(state.documentId(), state.latestVersion(), "DELETED", null));
    }

    private Optional<DocumentView> lookup(String customerId, String documentId) {
        if (!Ids.isUuid(documentId)) {
            return Optional.empty();
        }
        Optional<DocumentStates.DocumentState> state = documents.find(customerId, documentId);
        if (state.isEmpty()) {
            return Optional.empty();
        }
        Optional<DocumentView> projected = readModel.find(customerId, documentId);
        boolean current = projected.filter(view -> view.version() == state.get().latestVersion()
                && (!state.get().deleted() || "DELETED".equals(view.status()))).isPresent();
        return current ? projected : eventStore.find(customerId, documentId);
    }

    private DocumentStates.DocumentState existing(String customerId, String documentId) {
        if (!Ids.isUuid(documentId)) {
            throw ApiProblem.notFound("no document " + documentId);
        }
        return documents.find(customerId, documentId)
                .orElseThrow(() -> ApiProblem.notFound("no document " + documentId));
    }

    private record Upload(UploadedFile file, String title, boolean titleGiven,
                          UploadInspector.Inspected inspected, CustomerConfiguration configuration) {
    }

    /** Checks the multipart upload against the customer's configuration and reads it once. */
    private Upload receive(Context ctx, String customerId) {
        CustomerConfiguration configuration = accounts.find(customerId)
                .orElseThrow(() -> ApiProblem.unauthorized("the customer does not exist")).configuration();
        long maxBytes = Math.min(maxUploadBytes, configuration.maxFileBytes());
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!contentType.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiProblem.unsupportedMediaType("upload the document as multipart/form-data with the file in "
                    + "the field 'file' (and an optional 'title')");
        }
        if (ctx.req().getContentLengthLong() > maxBytes + 64 * 1024) {
            throw ApiProblem.tooLarge("the upload is larger than your limit of " + maxBytes + " bytes");
        }
        UploadedFile file = uploadedFile(ctx, maxBytes);
        String givenTitle = Optional.ofNullable(ctx.formParam("title")).map(String::strip).orElse("");
        String title = givenTitle.isEmpty() ? Optional.ofNullable(file.filename()).orElse("").strip() : givenTitle;
        if (title.length() > MAX_TITLE_LENGTH) {
            throw ApiProblem.badRequest("the title must be at most " + MAX_TITLE_LENGTH + " characters");
        }
        UploadInspector.Inspected inspected = UploadInspector.inspect(file.filename(), file::content, maxBytes);
        if (!configuration.allowedContentTypes().contains(inspected.contentType())) {
            throw ApiProblem.unsupportedMediaType(inspected.contentType() + " is not among the types your "
                    + "configuration allows: " + configuration.allowedContentTypes());
        }
        return new Upload(file, title, !givenTitle.isEmpty(), inspected, configuration);
    }

    private UploadedFile uploadedFile(Context ctx, long maxBytes) {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (IllegalStateException e) {
            // Jetty refuses a multipart body over the configured limits while parsing it.
            throw ApiProblem.tooLarge("the upload is larger than your limit of " + maxBytes + " bytes");
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("the multipart body could not be read: " + e.getMessage());
        }
        if (file == null) {
            throw ApiProblem.badRequest("the multipart field 'file' is missing");
        }
        return file;
    }

    private static IndexingSettings indexing(CustomerConfiguration configuration) {
        return new IndexingSettings(configuration.chunkTokens(), configuration.chunkOverlapTokens(),
                configuration.embeddingModel());
    }

    private void deleteQuietly(String key) {
        try {
            objects.delete(key);
        } catch (RuntimeException e) {
            log.warn("Could not remove the object {} of a refused upload: {}", key, e.toString());
        }
    }
}
