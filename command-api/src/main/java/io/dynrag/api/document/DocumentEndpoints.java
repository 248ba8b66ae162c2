package io.dynrag.api.document;

import io.dynrag.api.auth.Principal;
import io.dynrag.api.http.Access;
import io.dynrag.api.http.ApiProblem;
import io.dynrag.domain.document.UploadDocument;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private final CommandGateway commands;
    private final DocumentObjects objects;
    private final DocumentLookup readModel;
    private final DocumentLookup eventStore;
    private final long maxUploadBytes;

    /**
     * @param readModel  the documents projection
     * @param eventStore the same answer from the events, for the moment the projection lags
     */
    public DocumentEndpoints(CommandGateway commands, DocumentObjects objects, DocumentLookup readModel,
                             DocumentLookup eventStore, long maxUploadBytes) {
        this.commands = commands;
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
        Principal.CustomerKey caller = Access.customer(ctx);
        String contentType = Optional.ofNullable(ctx.contentType()).orElse("");
        if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
            throw ApiProblem.unsupportedMediaType("upload the document as multipart/form-data with the file in "
                    + "the field 'file' (and an optional 'title')");
        }
        if (ctx.req().getContentLengthLong() > maxUploadBytes + 64 * 1024) {
            throw ApiProblem.tooLarge("the upload is larger than the limit of " + maxUploadBytes + " bytes");
        }
        UploadedFile file = uploadedFile(ctx);
        String title = title(ctx, file);
        TextFileInspector.Inspected inspected = TextFileInspector.inspect(file.filename(), file::content, maxUploadBytes);

        String documentId = UUID.randomUUID().toString();
        String key = DocumentObjects.keyOf(caller.customerId(), documentId, inspected.sha256());
        objects.put(key, file::content, inspected.bytes(), inspected.contentType());
        try {
            commands.sendAndWait(new UploadDocument(documentId, caller.customerId(), title,
                    inspected.contentType(), key, inspected.sha256(), inspected.bytes()));
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
        Principal.CustomerKey caller = Access.customer(ctx);
        String documentId = ctx.pathParam("documentId");
        if (!isUuid(documentId)) {
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

    static boolean isUuid(String value) {
        try {
            return UUID.fromString(value).toString().equals(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
