package io.dynrag.domain.search;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which rows a nearest-neighbour search considers. The filters are applied before the neighbours
 * are chosen, so a search within one document, or without some documents, still returns the
 * {@code k} best of the rows that remain.
 *
 * @param datasetVersion the dataset version to read; empty for the latest
 * @param documentId     only this document's rows; empty for every document
 * @param excluded       documents whose rows are left out (deleted ones whose rows that version still holds)
 */
public record SearchScope(OptionalLong datasetVersion, Optional<String> documentId, Set<String> excluded) {

    /** Every row of the latest version. */
    public static final SearchScope LATEST = new SearchScope(OptionalLong.empty(), Optional.empty(), Set.of());

    public SearchScope {
        Objects.requireNonNull(datasetVersion, "datasetVersion");
        Objects.requireNonNull(documentId, "documentId");
        excluded = Set.copyOf(excluded);
    }

    public SearchScope atVersion(long version) {
        return new SearchScope(OptionalLong.of(version), documentId, excluded);
    }

    public SearchScope onlyDocument(String id) {
        return new SearchScope(datasetVersion, Optional.of(id), excluded);
    }

    public SearchScope excluding(Set<String> documentIds) {
        return new SearchScope(datasetVersion, documentId, documentIds);
    }
}
