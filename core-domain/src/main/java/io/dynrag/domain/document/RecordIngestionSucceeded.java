package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RecordIngestionSucceeded(
        @TargetAggregateIdentifier String documentId, int version, IndexingStats stats) {
}
