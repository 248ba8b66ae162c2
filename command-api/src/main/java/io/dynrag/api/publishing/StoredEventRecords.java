package io.dynrag.api.publishing;

import io.dynrag.api.axon.EventSourcing;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;

import javax.sql.DataSource;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The records the publisher sends for every stored event, read straight from the event store,
 * oldest first: what consumers of the event topics would see if Kafka were replayed from the
 * event store. The offset of each record is the event's global index.
 */
public final class StoredEventRecords {

    private StoredEventRecords() {
    }

    /** @param commandSchema connections on the command schema; the stream reads lazily, in batches */
    public static Stream<ConsumerRecord<String, byte[]>> read(DataSource commandSchema) {
        return EventSourcing.storageEngine(new ThreadBoundTransactionManager(commandSchema), Json.eventMapper())
                .readEvents(null, false)
                .flatMap(event -> AvroEventMapper.toRecord(event).stream()
                        .map(record -> consumed(record, globalIndex(event))));
    }

    private static ConsumerRecord<String, byte[]> consumed(ProducerRecord<String, byte[]> record, long offset) {
        return new ConsumerRecord<>(record.topic(), 0, offset, record.timestamp() == null ? -1 : record.timestamp(),
                TimestampType.CREATE_TIME, record.key().length(), record.value().length, record.key(), record.value(),
                record.headers(), Optional.empty());
    }

    private static long globalIndex(TrackedEventMessage<?> event) {
        TrackingToken token = event.trackingToken();
        return token.position().orElse(-1L);
    }
}
