package io.dynrag.api.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * Which events to list, oldest first.
 *
 * @param customerId the customer's own events and its documents' events; empty for every event
 * @param documentId only this document's events (its ownership is checked before)
 * @param from       events at or after this instant
 * @param to         events before this instant
 * @param after      events after this global index (from a cursor); -1 from the start
 */
record AuditQuery(Optional<String> customerId, Optional<String> documentId, Optional<Instant> from,
                  Optional<Instant> to, long after, int limit) {
}
