package io.dynrag.domain.search;

import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which rows a search considers. The filters are applied before the best rows are chosen, so a
 * search within some documents, or without some, still returns the {@code k} best of the rows that
 * remain, however few they are.
 *
 * @param datasetVersion the dataset version to read; empty for the latest
 * @param documents      only these documents' rows (a filter resolved to the documents it keeps); empty
 *                       for every document
 * @param excluded       documents whose rows are left out (deleted ones whose rows that version still holds)
 */
public record SearchScope(OptionalLong datasetVersion, Optional<Set<String>> documents, Set<String> excluded) {

    /** Every row of the latest version. */
    public static final SearchScope LATEST = new SearchScope(OptionalLong.empty(), Optional.empty(), Set.of());

    public SearchScope {
        Objects.requireNonNull(datasetVersion, "datasetVersion");
        documents = Objects.requireNonNull(documents, "documents").map(Set::copyOf);
        excluded = Set.copyOf(excluded);
    }

    public SearchScope atVersion(long version) {
        return new SearchScope(OptionalLong.of(version), documents, excluded);
    }

    public SearchScope onlyDocument(String id) {
        return onlyDocuments(Set.of(id));
    }

    /** Only rows of {@code ids}; within documents already named, those also among them. */
    public SearchScope onlyDocuments(Set<String> ids) {
        Set<String> kept = new HashSet<>(ids);
        documents.ifPresent(kept::retainAll);
        return new SearchScope(datasetVersion, Optional.of(kept), excluded);
    }

    public SearchScope excluding(Set<String> documentIds) {
        return new SearchScope(datasetVersion, documents, documentIds);
    }

    /** Whether the scope keeps every row of the dataset version it reads. */
    public boolean unfiltered() {
        return documents.isEmpty() && excluded.isEmpty();
    }

    /** Whether the scope keeps the rows of the document. */
    public boolean keeps(String documentId) {
        return documents.map(ids -> ids.contains(documentId)).orElse(true) && !excluded.contains(documentId);
    }
}
