package io.dynrag.api.publishing;

import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Publishes every stored event to Kafka, driven by a tracking processor over the event
 * store.
 *
 * <p>Each batch of the processor is one Kafka transaction, committed while the processor's
 * database transaction (which holds its new token) is still open: if the process dies
 * between the two commits the batch is published again, so delivery is at least once and
 * never lossy. Consumers deduplicate by the event-id header. The transactional id is fixed
 * per processor segment, so an instance that takes the segment over fences the old one.
 */
public final class KafkaEventPublisher implements EventMessageHandler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaEventPublisher.class);
    private static final String TRANSACTION_RESOURCE = KafkaEventPublisher.class.getName() + ".transaction";
    /**
     * After a transaction of fewer events than this the publisher waits {@link #LINGER} before
     * reading the next batch. A Kafka transaction costs the broker several requests and log
     * writes whatever its size; under a stream of single-event commands, batches of one or two
     * events made those fixed costs a large share of the broker's work. 20 ms more latency buys
     * batches of several events at a few hundred commands per second.
     */
    private static final int LINGER_BELOW_EVENTS = 32;
    private static final Duration LINGER = Duration.ofMillis(20);

    private final KafkaConnection kafka;
    private final Map<String, Object> producerConfig;
    private Producer<String, byte[]> producer;

    public KafkaEventPublisher(KafkaConnection kafka, String transactionalId) {
        this.kafka = kafka;
        this.producerConfig = kafka.config(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                // One request in flight per partition: when the broker answers the first batch of a
                // transaction with CONCURRENT_TRANSACTIONS (the previous one still completing),
                // pipelined batches behind it were refused as out of order and logged as errors.
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    @Override
    public Object handle(EventMessage<?> event) {
        Optional<ProducerRecord<String, byte[]>> record = AvroEventMapper.toRecord(event);
        if (record.isPresent()) {
            transactionOf(CurrentUnitOfWork.get().root()).send(record.get());
        }
        return null;
    }

    private Producer<String, byte[]> transactionOf(UnitOfWork<?> batch) {
        Producer<String, byte[]> inTransaction = batch.getResource(TRANSACTION_RESOURCE);
        if (inTransaction != null) {
            return inTransaction;
        }
        Producer<String, byte[]> started = producer();
        started.beginTransaction();
        batch.resources().put(TRANSACTION_RESOURCE, started);
        batch.onPrepareCommit(u -> commit(started));
        batch.onRollback(u -> abort(started));
        batch.afterCommit(KafkaEventPublisher::lingerAfterSmall);
        return started;
    }

    private synchronized Producer<String, byte[]> producer() {
        if (producer == null) {
            KafkaProducer<String, byte[]> created = new KafkaProducer<>(producerConfig);
            try {
                created.initTransactions();
            } catch (KafkaException e) {
                created.close();
                throw e;
            }
            producer = kafka.opened(created);
        }
        return producer;
    }

    private void commit(Producer<String, byte[]> transaction) {
        try {
            transaction.commitTransaction();
        } catch (KafkaException e) {
            discardIfBroken(transaction, e);
            throw e;
        }
    }

    private static void lingerAfterSmall(UnitOfWork<?> batch) {
        if (batch instanceof BatchingUnitOfWork<?> events && events.getMessages().size() < LINGER_BELOW_EVENTS) {
            try {
                Thread.sleep(LINGER);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void abort(Producer<String, byte[]> transaction) {
        try {
            transaction.abortTransaction();
        } catch (RuntimeException e) {
            log.warn("Aborting the Kafka transaction failed; a new producer will be created: {}", e.toString());
            discard(transaction);
        }
    }

    private void discardIfBroken(Producer<String, byte[]> transaction, KafkaException e) {
        if (e instanceof ProducerFencedException) {
            log.warn("Another publisher instance took over this segment; closing this producer");
            discard(transaction);
        }
    }

    private synchronized void discard(Producer<String, byte[]> transaction) {
        if (producer == transaction) {
            producer = null;
        }
        transaction.close();
        kafka.closed(transaction);
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close();
            kafka.closed(producer);
            producer = null;
        }
    }
}
