package io.dynrag.app.roles;

import io.dynrag.api.document.DocumentListItem;
import io.dynrag.api.document.DocumentListing;
import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentView;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.document.DocumentRow;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The documents projection, answering the API's document queries and its document list, of now and of the past. */
final class ProjectedDocuments implements DocumentLookup, DocumentListing {

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

    @Override
    public List<DocumentListItem> list(DocumentQuery query) {
        return catalog.list(query).stream().map(ProjectedDocuments::item).toList();
    }

    @Override
    public Set<String> matching(String customerId, DocumentFilter filter) {
        return catalog.matching(customerId, filter);
    }

    @Override
    public Optional<Span> span(String customerId) {
        return catalog.historySpan(customerId).map(span -> new Span(span.completeFrom(), span.appliedUntil()));
    }

    @Override
    public List<DocumentListItem> list(DocumentQuery query, Instant asOf) {
        return catalog.listAsOf(query, asOf).stream().map(ProjectedDocuments::item).toList();
    }

    @Override
    public Set<String> matching(String customerId, DocumentFilter filter, Instant asOf) {
        return catalog.matchingAsOf(customerId, filter, asOf);
    }

    @Override
    public List<DocumentListItem> listed(String customerId, Collection<String> documentIds) {
        return catalog.findAll(customerId, documentIds).stream().map(ProjectedDocuments::item).toList();
    }

    private static DocumentListItem item(DocumentRow row) {
        return new DocumentListItem(row.documentId(), row.title(), row.status(), row.contentType(), row.bytes(),
                row.version(), row.createdAt(), row.updatedAt(), row.metadata());
    }

    private static DocumentView view(DocumentRow row) {
        boolean timed = row.stats() != null && !row.stats().stageMillis().isEmpty();
        return DocumentView.of(row.documentId(), row.title(), row.metadata(), row.contentType(), row.bytes(),
                row.version(), row.status(), row.stats(), row.failureReason(), timed ? row.stats().stageMillis() : null,
                row.updatedAt());
    }
}
