package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record RecordIngestionStarted(@TargetAggregateIdentifier String documentId, int version) {
}
