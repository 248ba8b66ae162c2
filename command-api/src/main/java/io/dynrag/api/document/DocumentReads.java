package io.dynrag.api.document;

import io.dynrag.platform.http.Ids;

import java.util.List;
import java.util.Optional;

/**
 * A document and its versions as they are now, for every surface that shows them (the REST endpoints, the MCP
 * tools): from the read model, or from the events for the moment the read model lags behind the document's state.
 */
public final class DocumentReads {

    private final DocumentStates documents;
    private final DocumentLookup readModel;
    private final DocumentLookup eventStore;

    /**
     * @param readModel  the documents projection
     * @param eventStore the same answers from the events, for the moment the projection lags
     */
    public DocumentReads(DocumentStates documents, DocumentLookup readModel, DocumentLookup eventStore) {
        this.documents = documents;
        this.readModel = readModel;
        this.eventStore = eventStore;
    }

    /** The document's latest version; empty for an unknown id or another customer's document. */
    public Optional<DocumentView> current(String customerId, String documentId) {
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

    /** Every version of an existing document, oldest first. */
    public List<DocumentView> versions(String customerId, DocumentStates.DocumentState state) {
        List<DocumentView> versions = readModel.versions(customerId, state.documentId());
        if (versions.size() < state.latestVersion()) {
            versions = eventStore.versions(customerId, state.documentId());
        }
        return versions;
    }
}
