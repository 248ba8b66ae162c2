package io.dynrag.api.ingestion;

import io.dynrag.platform.origin.Origin;
import io.dynrag.schemas.EventHeaders;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Which request the pipeline's outcomes are recorded as part of. */
class IngestionResultOriginTest {

    private static final String UPLOAD_EVENT_ID = "7f1c2b9e-5d3a-4e8f-9a6b-0c1d2e3f4a5b";

    @Test
    void theOutcomeIsCorrelatedWithTheRequestThatCausedTheEvent() {
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.addCorrelationId(headers, "client-req-7");

        Origin origin = IngestionResultConsumer.originOf(record(headers, result()));

        assertThat(origin).isEqualTo(new Origin("system:pipeline", "client-req-7"));
    }

    @Test
    void withoutACorrelationHeaderTheEventTheOutcomeAnswersIsTheCorrelation() {
        Origin origin = IngestionResultConsumer.originOf(record(new RecordHeaders(), result()));

        assertThat(origin).isEqualTo(new Origin("system:pipeline", UPLOAD_EVENT_ID));
    }

    @Test
    void aMalformedHeaderIsNotTrusted() {
        RecordHeaders headers = new RecordHeaders();
        EventHeaders.addCorrelationId(headers, "no spaces allowed");

        assertThat(IngestionResultConsumer.originOf(record(headers, result())).correlationId())
                .isEqualTo(UPLOAD_EVENT_ID);
    }

    @Test
    void anEmptyRecordStillGetsACorrelationId() {
        Origin origin = IngestionResultConsumer.originOf(record(new RecordHeaders(), null));

        assertThat(origin.actor()).isEqualTo("system:pipeline");
        assertThat(Origin.isValidCorrelationId(origin.correlationId())).isTrue();
    }

    private static IngestionResult result() {
        return IngestionResult.newBuilder()
                .setCustomerId("c-1")
                .setDocumentId("d-1")
                .setVersion(1)
                .setSourceEventId(UPLOAD_EVENT_ID)
                .setProducedAt(Instant.parse("2026-11-26T14:22:40Z"))
                .setOutcome(IngestionStarted.newBuilder().build())
                .build();
    }

    private static ConsumerRecord<String, IngestionResult> record(RecordHeaders headers, IngestionResult value) {
        return new ConsumerRecord<>("dynrag.ingestion-results.v1", 0, 0L, 0L, TimestampType.CREATE_TIME, 3, 0, "c-1",
                value, headers, Optional.empty());
    }
}
