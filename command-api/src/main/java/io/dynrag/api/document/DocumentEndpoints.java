package io.dynrag.api.document;

import io.dynrag.api.auth.Scope;
import io.dynrag.api.customer.CustomerAccounts;
import io.dynrag.api.persistence.ThreadBoundTransactionManager;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.dynrag.api.http.Ids;
import io.dynrag.domain.document.UploadDocument;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Uploading and reading documents. An upload is checked and stored in the object store
 * before the command is sent, so the {@code DocumentVersionUploaded} event only ever names
 * bytes that exist; if the command fails the stored bytes are removed again.
 */
public final class DocumentEndpoints implements Consumer<RoutesConfig> {

    private static final Logger log = LoggerFactory.getLogger(DocumentEndpoints.class);
    private static final int MAX_TITLE_LENGTH = 500;

    private final Access access;
    private final CommandGateway commands;
    private final ThreadBoundTransactionManager transactions;
    private final CustomerAccounts accounts;
    private final DocumentObjects objects;
    private final DocumentLookup readModel;
    private final DocumentLookup eventStore;
    private final long maxUploadBytes;

    /**
     * @param readModel  the documents projection
     * @param eventStore the same answer from the events, for the moment the projection lags
     */
    public DocumentEndpoints(Access access, CommandGateway commands, ThreadBoundTransactionManager transactions,
                             CustomerAccounts accounts, DocumentObjects objects, DocumentLookup readModel,
                             DocumentLookup eventStore, long maxUploadBytes) {
        this.access = access;
        this.commands = commands;
        this.transactions = transactions;
        this.accounts = accounts;
        this.objects = objects;
        this.readModel = readModel;
        this.eventStore = eventStore;
        this.maxUploadBytes = maxUploadBytes;
    }

    public record UploadAccepted(String documentId, int version, String status) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        routes.post("/v1/documents", this::upload);
        routes.get("/v1/documents/{documentId}", this::get);
    }

    private void upload(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
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
        UploadedFile file = uploadedFile(ctx);
        String title = title(ctx, file);
        TextFileInspector.Inspected inspected = TextFileInspector.inspect(file.filename(), file::content, maxBytes);
        if (!configuration.allowedContentTypes().contains(inspected.contentType())) {
            throw ApiProblem.unsupportedMediaType(inspected.contentType() + " is not among the types your "
                    + "configuration allows: " + configuration.allowedContentTypes());
        }

        String documentId = UUID.randomUUID().toString();
        String key = DocumentObjects.keyOf(customerId, documentId, inspected.sha256());
        objects.put(key, file::content, inspected.bytes(), inspected.contentType());
        try {
            transactions.executeInTransaction(() -> {
                // The row lock makes concurrent uploads of one customer count one after the other.
                CustomerConfiguration current = accounts.findForUpdate(customerId)
                        .filter(account -> account.documentCount() < account.configuration().maxDocuments())
                        .orElseThrow(() -> new ApiProblem(403, "Forbidden", "your limit of "
                                + configuration.maxDocuments() + " documents is reached; delete documents or "
                                + "raise maxDocuments"))
                        .configuration();
                commands.sendAndWait(new UploadDocument(documentId, customerId, title, inspected.contentType(), key,
                        inspected.sha256(), inspected.bytes(), new IndexingSettings(current.chunkTokens(),
                        current.chunkOverlapTokens(), current.embeddingModel())));
            });
        } catch (RuntimeException e) {
            deleteQuietly(key);
            throw e;
        }
        ctx.status(202).json(new UploadAccepted(documentId, 1, "PENDING"));
    }

    private UploadedFile uploadedFile(Context ctx) {
        UploadedFile file;
        try {
            file = ctx.uploadedFile("file");
        } catch (IllegalStateException e) {
            // Jetty refuses a multipart body over the configured limits while parsing it.
            throw ApiProblem.tooLarge("the upload is larger than the limit of " + maxUploadBytes + " bytes");
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("the multipart body could not be read: " + e.getMessage());
        }
        if (file == null) {
            throw ApiProblem.badRequest("the multipart field 'file' is missing");
        }
        return file;
    }

    private static String title(Context ctx, UploadedFile file) {
        String title = Optional.ofNullable(ctx.formParam("title")).map(String::strip).orElse("");
        if (title.isEmpty()) {
            title = Optional.ofNullable(file.filename()).orElse("").strip();
        }
        if (title.length() > MAX_TITLE_LENGTH) {
            throw ApiProblem.badRequest("the title must be at most " + MAX_TITLE_LENGTH + " characters");
        }
        return title;
    }

    private void get(Context ctx) {
        Access.CustomerCaller caller = access.customer(ctx, Scope.READ);
        String documentId = ctx.pathParam("documentId");
        if (!Ids.isUuid(documentId)) {
            throw ApiProblem.notFound("no document " + documentId);
        }
        DocumentView view = readModel.find(caller.customerId(), documentId)
                .or(() -> eventStore.find(caller.customerId(), documentId))
                .orElseThrow(() -> ApiProblem.notFound("no document " + documentId));
        ctx.json(view);
    }

    private void deleteQuietly(String key) {
        try {
            objects.delete(key);
        } catch (RuntimeException e) {
            log.warn("Could not remove the object {} of a refused upload: {}", key, e.toString());
        }
    }
}
