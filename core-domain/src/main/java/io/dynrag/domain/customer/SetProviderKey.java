package io.dynrag.domain.customer;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Records that the customer stored a key for an embedding provider. The key itself never enters
 * a command or an event; only its fingerprint does, so a change is visible in the history.
 *
 * @param fingerprint null when the key was removed
 */
public record SetProviderKey(@TargetAggregateIdentifier String customerId, String provider, String fingerprint) {
}
