package io.dynrag.api.document.progress;

import io.dynrag.api.document.DocumentLookup;
import io.dynrag.api.document.DocumentView;

import java.util.List;
import java.util.Optional;

/** Adds the pipeline's latest progress report to a document that is still being processed. */
public final class WithProgress implements DocumentLookup {

    private final DocumentLookup documents;
    private final ProgressTracker tracker;

    public WithProgress(DocumentLookup documents, ProgressTracker tracker) {
        this.documents = documents;
        this.tracker = tracker;
    }

    @Override
    public Optional<DocumentView> find(String customerId, String documentId) {
        return documents.find(customerId, documentId).map(view -> inProgress(view)
                ? tracker.of(documentId, view.version())
                .map(p -> view.withProgress(new DocumentView.Progress(p.stage(), p.chunksEmbedded(), p.chunksTotal())))
                .orElse(view)
                : view);
    }

    @Override
    public List<DocumentView> versions(String customerId, String documentId) {
        return documents.versions(customerId, documentId);
    }

    /** Still to be indexed: the pipeline's reports on this version are news. */
    static boolean inProgress(DocumentView view) {
        return "PENDING".equals(view.status()) || "PROCESSING".equals(view.status());
    }
}
