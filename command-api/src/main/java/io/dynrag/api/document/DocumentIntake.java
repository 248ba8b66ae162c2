package io.dynrag.api.document;

import io.dynrag.api.budget.BudgetLedger;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.HistoryRetention;
import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.UploadDocument;
import io.dynrag.domain.document.UploadDocumentVersion;
import io.dynrag.domain.document.VersionAccepted;
import io.dynrag.identity.accounts.CustomerAccount;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.credentials.NotAuthenticatedException;
import io.dynrag.platform.http.Ids;
import io.dynrag.platform.idempotency.NewIds;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Takes in a document's bytes, from an upload or a fetched URL: checks them against the customer's
 * configuration, stores them in the object store, then sends the command. The event therefore
 * only ever names bytes that exist; when the command fails the stored bytes are removed again.
 */
public final class DocumentIntake {

    private static final Logger log = LoggerFactory.getLogger(DocumentIntake.class);
    static final int MAX_TITLE_LENGTH = 500;

    private final CommandGateway commands;
    private final ThreadBoundTransactionManager transactions;
    private final CustomerAccounts accounts;
    private final DocumentStates documents;
    private final DocumentObjects objects;
    private final BudgetLedger budget;
    private final long maxUploadBytes;
    private final HistoryRetention historyRetention;

    /** @param historyRetention the retention each version's write is followed by a cleanup of the history to */
    public DocumentIntake(CommandGateway commands, ThreadBoundTransactionManager transactions,
                          CustomerAccounts accounts, DocumentStates documents, DocumentObjects objects,
                          BudgetLedger budget, long maxUploadBytes, HistoryRetention historyRetention) {
        this.commands = commands;
        this.transactions = transactions;
        this.accounts = accounts;
        this.documents = documents;
        this.objects = objects;
        this.budget = budget;
        this.maxUploadBytes = maxUploadBytes;
        this.historyRetention = historyRetention;
    }

    /**
     * @param name  the file name or the URL's last path segment; tells Markdown from plain text
     * @param title null or blank for the default (the name, or the previous title of a document)
     * @param bytes    opens the content; called more than once
     * @param metadata null for none (a new version: keep the document's)
     */
    public record Content(String name, String title, Supplier<InputStream> bytes, Map<String, Object> metadata) {
    }

    /** @param unchanged true when the bytes equal the latest version, which {@code version} names */
    public record Accepted(String documentId, int version, String status, boolean created, Boolean unchanged) {
    }

    /** The largest document the customer may send. */
    public long maxBytesFor(String customerId) {
        return Math.min(maxUploadBytes, configuration(customerId).maxFileBytes());
    }

    /**
     * @param ids the request's new ids ({@code IdempotentPosts.newIds}); under an Idempotency-Key a
     *            document that already has this id is the one an earlier attempt of this very request
     *            created before it died unanswered, and is answered again rather than created twice
     * @param index which of the request's documents this is
     */
    public Accepted create(String customerId, Content content, NewIds ids, int index) {
        Checked checked = check(customerId, content);
        String documentId = ids.id(index);
        if (ids.repeatable() && documents.find(customerId, documentId).isPresent()) {
            log.info("Document {} was created by an earlier attempt of this request; answering as it would have",
                    documentId);
            return new Accepted(documentId, 1, "PENDING", true, null);
        }
        String key = DocumentObjects.keyOf(customerId, documentId, checked.inspected().sha256());
        objects.put(key, content.bytes()::get, checked.inspected().bytes(), checked.inspected().contentType());
        try {
            transactions.executeInTransaction(() -> {
                commands.sendAndWait(new UploadDocument(documentId, customerId,
                        defaultTitle(content), checked.inspected().contentType(), key, checked.inspected().sha256(),
                        checked.inspected().bytes(), indexing(checked.configuration()), content.metadata()));
                // The command has counted the document in the customer's row and so holds its lock:
                // concurrent uploads of the customer check the limits one after the other, yet wait
                // only for each other's last statements and commit, not for whole commands.
                CustomerAccount account = lockedAccount(customerId);
                if (account.documentCount() > account.configuration().maxDocuments()) {
                    throw new DocumentLimitReachedException(account.configuration().maxDocuments());
                }
                budget.reserve(customerId, account.configuration(), documentId, 1, checked.inspected().bytes());
            });
        } catch (RuntimeException e) {
            deleteQuietly(key);
            throw e;
        }
        return new Accepted(documentId, 1, "PENDING", true, null);
    }

    /**
     * @throws DocumentNotFoundException for an unknown or foreign document
     * @throws DocumentDeletedException  for a deleted one, also when it was deleted meanwhile
     */
    public Accepted addVersion(String customerId, String documentId, Content content) {
        DocumentStates.DocumentState state = existing(customerId, documentId);
        if (state.deleted()) {
            throw new DocumentDeletedException(documentId);
        }
        Checked checked = check(customerId, content);
        if (checked.inspected().sha256().equals(state.latestSha256())) {
            return new Accepted(documentId, state.latestVersion(), null, false, true);
        }
        String key = DocumentObjects.keyOf(customerId, documentId, checked.inspected().sha256());
        // Bytes equal to an older version map to that version's object, which must survive a failure here.
        boolean ownObject = !objects.exists(key);
        objects.put(key, content.bytes()::get, checked.inspected().bytes(), checked.inspected().contentType());
        VersionAccepted accepted;
        try {
            String title = content.title() == null || content.title().isBlank() ? null : content.title().strip();
            accepted = transactions.fetchInTransaction(() -> {
                VersionAccepted version = commands.sendAndWait(new UploadDocumentVersion(documentId, customerId,
                        title, checked.inspected().contentType(), key, checked.inspected().sha256(),
                        checked.inspected().bytes(), indexing(checked.configuration()), content.metadata()));
                if (version.created()) {
                    // Locked after the command, as for a new document, to keep the wait short.
                    budget.reserve(customerId, lockedAccount(customerId).configuration(), documentId,
                            version.version(), checked.inspected().bytes());
                }
                return version;
            });
        } catch (RuntimeException e) {
            removeIfOwn(ownObject, key);
            throw e;
        }
        // A concurrent request may have stored the same bytes a moment ago; the object is theirs as much as ours.
        return accepted.created()
                ? new Accepted(documentId, accepted.version(), "PENDING", true, null)
                : new Accepted(documentId, accepted.version(), null, false, true);
    }

    /** @throws DocumentNotFoundException for an unknown or foreign document */
    public DocumentStates.DocumentState existing(String customerId, String documentId) {
        if (!Ids.isUuid(documentId)) {
            throw new DocumentNotFoundException(documentId);
        }
        return documents.find(customerId, documentId)
                .orElseThrow(() -> new DocumentNotFoundException(documentId));
    }

    private record Checked(UploadInspector.Inspected inspected, CustomerConfiguration configuration) {
    }

    private Checked check(String customerId, Content content) {
        CustomerConfiguration configuration = configuration(customerId);
        if (content.title() != null && content.title().strip().length() > MAX_TITLE_LENGTH) {
            throw new DomainRuleViolation("the title must be at most " + MAX_TITLE_LENGTH + " characters");
        }
        DocumentMetadata.checked(content.metadata());
        long maxBytes = Math.min(maxUploadBytes, configuration.maxFileBytes());
        UploadInspector.Inspected inspected = UploadInspector.inspect(content.name(), content.bytes(), maxBytes);
        if (!configuration.allowedContentTypes().contains(inspected.contentType())) {
            throw new UnsupportedDocumentTypeException(inspected.contentType() + " is not among the types your "
                    + "configuration allows: " + configuration.allowedContentTypes());
        }
        return new Checked(inspected, configuration);
    }

    /** Reads the customer's account and locks its row until the transaction ends. */
    private CustomerAccount lockedAccount(String customerId) {
        return accounts.findForUpdate(customerId)
                .orElseThrow(() -> new NotAuthenticatedException("the customer does not exist"));
    }

    private CustomerConfiguration configuration(String customerId) {
        return accounts.find(customerId)
                .orElseThrow(() -> new NotAuthenticatedException("the customer does not exist")).configuration();
    }

    private static String defaultTitle(Content content) {
        String title = content.title() == null ? "" : content.title().strip();
        if (title.isEmpty()) {
            title = content.name() == null ? "" : content.name().strip();
        }
        return title.length() > MAX_TITLE_LENGTH ? title.substring(0, MAX_TITLE_LENGTH) : title;
    }

    private IndexingSettings indexing(CustomerConfiguration configuration) {
        return new IndexingSettings(configuration.chunkTokens(), configuration.chunkOverlapTokens(),
                configuration.embeddingModel(), (int) historyRetention.of(configuration).toDays());
    }

    private void removeIfOwn(boolean ownObject, String key) {
        if (ownObject) {
            deleteQuietly(key);
        }
    }

    private void deleteQuietly(String key) {
        try {
            objects.delete(key);
        } catch (RuntimeException e) {
            log.warn("Could not remove the object {} of a refused upload: {}", key, e.toString());
        }
    }
}
