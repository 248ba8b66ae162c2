package io.dynrag.domain.document;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record DeleteDocument(@TargetAggregateIdentifier String documentId) {
}
