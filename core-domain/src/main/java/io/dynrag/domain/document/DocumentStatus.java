package io.dynrag.domain.document;

/** Where a document version is in the pipeline. Only PENDING and PROCESSING can still change. */
public enum DocumentStatus {
    PENDING,
    PROCESSING,
    INDEXED,
    FAILED;

    public boolean isFinal() {
        return this == INDEXED || this == FAILED;
    }
}
