package io.dynrag.api.audit;

import java.time.Instant;
import java.util.Optional;

/**
 * Which tool calls to list, oldest first.
 *
 * @param customerId only this customer's calls; empty for every customer's (admins only)
 * @param tool       only calls of this tool
 * @param from       calls at or after this instant
 * @param to         calls before this instant
 * @param after      only calls after this position of the log (a page's cursor); -1 from the start
 */
record ToolCallQuery(Optional<String> customerId, Optional<String> tool, Optional<Instant> from, Optional<Instant> to,
                     long after, int limit) {
}
