package io.dynrag.api.audit;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One stored event as an auditor sees it.
 *
 * @param type          simple name of the payload record, e.g. {@code DocumentVersionUploaded}
 * @param aggregateType {@code Customer} or {@code Document}
 * @param actor         who issued the command; absent on events recorded before actors were
 * @param correlationId the request or message the command belonged to; absent likewise
 * @param payload       the event's fields, personal fields shown only as {@code {"encrypted": true}}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEvent(
        String eventId,
        String type,
        Instant time,
        String aggregateType,
        String aggregateId,
        long sequenceNumber,
        String actor,
        String correlationId,
        JsonNode payload) {
}
