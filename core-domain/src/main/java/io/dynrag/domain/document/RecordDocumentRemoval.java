package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RecordDocumentRemoval(@TargetAggregateIdentifier String documentId, long lanceVersion) {
}
