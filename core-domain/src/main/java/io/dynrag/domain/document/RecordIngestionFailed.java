package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RecordIngestionFailed(
        @TargetAggregateIdentifier String documentId, int version, String reason, boolean retryable) {
}
