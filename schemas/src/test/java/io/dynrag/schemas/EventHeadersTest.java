package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.schemas.document.DocumentVersionUploaded;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventHeadersTest {

    @Test
    void writtenHeadersReadBack() {
        Headers headers = EventHeaders.add(new RecordHeaders(), "evt-1", "doc-ü", 41L, "DocumentVersionUploaded");

        assertThat(EventHeaders.eventId(headers)).contains("evt-1");
        assertThat(EventHeaders.aggregateId(headers)).contains("doc-ü");
        assertThat(EventHeaders.sequence(headers)).hasValue(41L);
        assertThat(EventHeaders.eventType(headers)).contains("DocumentVersionUploaded");
    }

    @Test
    void valuesAreUtf8StringsAndTheSequenceIsDecimal() {
        Headers headers = EventHeaders.add(new RecordHeaders(), "evt-1", "doc-ü", 1_000_000_007L, "X");

        assertThat(headers.lastHeader("dynrag.aggregate-id").value()).isEqualTo("doc-ü".getBytes(StandardCharsets.UTF_8));
        assertThat(headers.lastHeader("dynrag.sequence").value()).isEqualTo("1000000007".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void addingAgainReplacesInsteadOfDuplicating() {
        Headers headers = EventHeaders.add(new RecordHeaders(), "evt-1", "doc-1", 1L, "A");

        EventHeaders.add(headers, "evt-2", "doc-2", 2L, "B");

        assertThat(headers.headers(EventHeaders.EVENT_ID)).hasSize(1);
        assertThat(EventHeaders.eventId(headers)).contains("evt-2");
        assertThat(EventHeaders.sequence(headers)).hasValue(2L);
    }

    @Test
    void otherHeadersAreKept() {
        Headers headers = new RecordHeaders().add("traceparent", new byte[] {1});

        EventHeaders.add(headers, "evt-1", "doc-1", 1L, "A");

        assertThat(headers.lastHeader("traceparent").value()).containsExactly(1);
    }

    @Test
    void absentHeadersAreEmpty() {
        Headers headers = new RecordHeaders();

        assertThat(EventHeaders.eventId(headers)).isEmpty();
        assertThat(EventHeaders.aggregateId(headers)).isEmpty();
        assertThat(EventHeaders.sequence(headers)).isEmpty();
        assertThat(EventHeaders.eventType(headers)).isEmpty();
        assertThat(EventHeaders.correlationId(headers)).isEmpty();
    }

    @Test
    void theCorrelationIdIsOptionalAndReplacedWhenAddedAgain() {
        Headers headers = EventHeaders.add(new RecordHeaders(), "evt-1", "doc-1", 1L, "A");

        EventHeaders.addCorrelationId(headers, "req-1");
        EventHeaders.addCorrelationId(headers, "req-2");

        assertThat(headers.headers(EventHeaders.CORRELATION_ID)).hasSize(1);
        assertThat(EventHeaders.correlationId(headers)).contains("req-2");
        assertThat(headers.lastHeader("dynrag.correlation-id").value()).isEqualTo("req-2".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void malformedSequenceIsReportedWithItsValue() {
        Headers headers = new RecordHeaders().add(EventHeaders.SEQUENCE, "seven".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> EventHeaders.sequence(headers))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(EventHeaders.SEQUENCE)
                .hasMessageContaining("seven");
    }

    @Test
    void eventTypeIsThePayloadRecordName() {
        DocumentVersionUploaded payload = (DocumentVersionUploaded) SampleEvents.documentEvents().getFirst().getPayload();

        assertThat(EventHeaders.eventTypeOf(payload)).isEqualTo("DocumentVersionUploaded");
    }
}
