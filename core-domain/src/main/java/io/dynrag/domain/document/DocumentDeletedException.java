package io.dynrag.domain.document;

import io.dynrag.domain.DomainRuleViolation;

/** A change was asked of a deleted document; to its owner the document no longer exists. */
public class DocumentDeletedException extends DomainRuleViolation {

    public DocumentDeletedException(String documentId) {
        super("document " + documentId + " is deleted");
    }
}
