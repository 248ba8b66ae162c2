package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.schemas.document.DocumentEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AvroSerdeRoundTripTest {

    static Stream<Arguments> everyEventOnItsTopic() {
        return Stream.of(
                        SampleEvents.customerEvents().stream().map(e -> Arguments.of(Topics.CUSTOMER_EVENTS, e)),
                        SampleEvents.documentEvents().stream().map(e -> Arguments.of(Topics.DOCUMENT_EVENTS, e)),
                        SampleEvents.ingestionResults().stream().map(e -> Arguments.of(Topics.INGESTION_RESULTS, e)))
                .flatMap(s -> s);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEventOnItsTopic")
    <V extends SpecificRecord> void valueSurvivesTheRoundTrip(Topic<V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);

        V read = topic.valueSerde().deserializer().deserialize(topic.name(), bytes);

        assertThat(read).isEqualTo(value).isNotSameAs(value);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyEventOnItsTopic")
    <V extends SpecificRecord> void messageIsSingleObjectEncodedWithTheSchemaFingerprint(Topic<V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(value.getSchema()));
    }

    @Test
    void keysAreCustomerIdsInUtf8OnEveryTopic() {
        List<Topic<?>> topics = List.of(
                Topics.CUSTOMER_EVENTS, Topics.DOCUMENT_EVENTS, Topics.INGESTION_RESULTS, Topics.INGESTION_DLQ);
        for (Topic<?> topic : topics) {
            byte[] key = topic.keySerde().serializer().serialize(topic.name(), SampleEvents.CUSTOMER_ID);

            assertThat(key).as(topic.name()).isEqualTo(SampleEvents.CUSTOMER_ID.getBytes(StandardCharsets.UTF_8));
            assertThat(topic.keySerde().deserializer().deserialize(topic.name(), key))
                    .isEqualTo(SampleEvents.CUSTOMER_ID);
        }
    }

    @Test
    void deadLetterValuesAreKeptByteForByte() {
        byte[] failedInput = {(byte) 0xC3, 0x01, 0, (byte) 0xFF, 42};

        byte[] written = Topics.INGESTION_DLQ.valueSerde().serializer().serialize(Topics.INGESTION_DLQ.name(), failedInput);

        assertThat(written).isEqualTo(failedInput);
        assertThat(Topics.INGESTION_DLQ.valueSerde().deserializer().deserialize(Topics.INGESTION_DLQ.name(), written))
                .isEqualTo(failedInput);
    }

    @Test
    void nullStaysNullBothWays() {
        AvroSerde<DocumentEvent> serde = new AvroSerde<>(DocumentEvent.class);

        assertThat(serde.serialize(Topics.DOCUMENT_EVENTS.name(), null)).isNull();
        assertThat(serde.deserialize(Topics.DOCUMENT_EVENTS.name(), null)).isNull();
    }

    @Test
    void oneInstanceServesManyThreadsAtOnce() throws Exception {
        AvroSerde<DocumentEvent> serde = new AvroSerde<>(DocumentEvent.class);
        List<DocumentEvent> events = SampleEvents.documentEvents();
        List<Callable<Integer>> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(() -> {
                int matches = 0;
                for (int i = 0; i < 2_000; i++) {
                    DocumentEvent event = events.get(i % events.size());
                    if (event.equals(serde.deserialize("t", serde.serialize("t", event)))) {
                        matches++;
                    }
                }
                return matches;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (Future<Integer> result : pool.invokeAll(workers)) {
                assertThat(result.get()).isEqualTo(2_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
