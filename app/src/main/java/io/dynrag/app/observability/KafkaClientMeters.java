package io.dynrag.app.observability;

import io.dynrag.schemas.connection.KafkaConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Reports the Kafka client metrics ({@code kafka_producer_*}, {@code kafka_consumer_*}) of each producer and consumer
 * the roles open through their {@link KafkaConnection}, until it is closed. The pipeline's Kafka Streams clients
 * report through {@link PipelineMeters} instead.
 */
final class KafkaClientMeters implements KafkaConnection.ClientHook, AutoCloseable {

    private final MeterRegistry registry;
    private final Map<Object, KafkaClientMetrics> bound = new IdentityHashMap<>();

    KafkaClientMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public synchronized void opened(Object client) {
        KafkaClientMetrics metrics = switch (client) {
            case Producer<?, ?> producer -> new KafkaClientMetrics(producer);
            case Consumer<?, ?> consumer -> new KafkaClientMetrics(consumer);
            default -> throw new IllegalArgumentException("not a Kafka producer or consumer: " + client);
        };
        metrics.bindTo(registry);
        bound.put(client, metrics);
    }

    @Override
    public synchronized void closed(Object client) {
        KafkaClientMetrics metrics = bound.remove(client);
        if (metrics != null) {
            metrics.close();
        }
    }

    @Override
    public synchronized void close() {
        bound.values().forEach(KafkaClientMetrics::close);
        bound.clear();
    }
}
