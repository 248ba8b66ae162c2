package io.dynrag.app.roles;

import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentView;
import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.document.DocumentRow;

import java.util.List;
import java.util.Optional;

/** The documents projection, answering the API's document queries. */
final class ProjectedDocuments implements DocumentLookup {

    private final DocumentCatalog catalog;

    ProjectedDocuments(DocumentCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public Optional<DocumentView> find(String customerId, String documentId) {
        return catalog.find(customerId, documentId).map(ProjectedDocuments::view);
    }

    @Override
    public List<DocumentView> versions(String customerId, String documentId) {
        return catalog.versions(customerId, documentId).stream().map(ProjectedDocuments::view).toList();
    }

    private static DocumentView view(DocumentRow row) {
        boolean timed = row.stats() != null && !row.stats().stageMillis().isEmpty();
        return DocumentView.of(row.documentId(), row.title(), row.metadata(), row.contentType(), row.bytes(),
                row.version(), row.status(), row.stats(), row.failureReason(), timed ? row.stats().stageMillis() : null,
                row.updatedAt());
    }
}
