package io.dynrag.schemas;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Headers on every record of the event topics, so that consumers can route and deduplicate
 * without decoding the value. Values are UTF-8 strings; the sequence is a decimal number.
 */
public final class EventHeaders {

    /** The event's eventId; consumers deduplicate by it. */
    public static final String EVENT_ID = "dynrag.event-id";
    /** Id of the aggregate that emitted the event: the customerId or the documentId. */
    public static final String AGGREGATE_ID = "dynrag.aggregate-id";
    /** The event's sequenceNumber within its aggregate. */
    public static final String SEQUENCE = "dynrag.sequence";
    /** Simple name of the payload record, e.g. {@code DocumentVersionUploaded}. */
    public static final String EVENT_TYPE = "dynrag.event-type";
    /**
     * Optional: the correlation id of the request (or message) that caused the event, so that what
     * consumers do in response can be traced back to it. Absent on events recorded without one.
     */
    public static final String CORRELATION_ID = "dynrag.correlation-id";

    private EventHeaders() {
    }

    /** Sets all four event headers, replacing earlier values of the same names. */
    public static Headers add(Headers headers, String eventId, String aggregateId, long sequence, String eventType) {
        HeaderValues.put(headers, EVENT_ID, Objects.requireNonNull(eventId, "eventId"));
        HeaderValues.put(headers, AGGREGATE_ID, Objects.requireNonNull(aggregateId, "aggregateId"));
        HeaderValues.put(headers, SEQUENCE, Long.toString(sequence));
        HeaderValues.put(headers, EVENT_TYPE, Objects.requireNonNull(eventType, "eventType"));
        return headers;
    }

    /** Sets {@link #CORRELATION_ID}, replacing an earlier value. */
    public static Headers addCorrelationId(Headers headers, String correlationId) {
        HeaderValues.put(headers, CORRELATION_ID, Objects.requireNonNull(correlationId, "correlationId"));
        return headers;
    }

    /** The {@link #EVENT_TYPE} value for a payload. */
    public static String eventTypeOf(SpecificRecord payload) {
        return payload.getSchema().getName();
    }

    public static Optional<String> eventId(Headers headers) {
        return HeaderValues.get(headers, EVENT_ID);
    }

    public static Optional<String> aggregateId(Headers headers) {
        return HeaderValues.get(headers, AGGREGATE_ID);
    }

    /** @throws IllegalArgumentException if the header is present but not a decimal number */
    public static OptionalLong sequence(Headers headers) {
        return HeaderValues.getLong(headers, SEQUENCE);
    }

    public static Optional<String> eventType(Headers headers) {
        return HeaderValues.get(headers, EVENT_TYPE);
    }

    public static Optional<String> correlationId(Headers headers) {
        return HeaderValues.get(headers, CORRELATION_ID);
    }
}
