package io.dynrag.app.observability;

import io.dynrag.schemas.connection.KafkaConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How far behind the ends of their partitions the consumer groups of this process's roles are: the records
 * each has yet to read, summed over its partitions. Read when metrics are scraped, from where each group keeps
 * its position: Kafka's committed offsets (the pipeline's Kafka Streams, the API's ingestion results) or a
 * table of its own, written with the rows it produced (the projections).
 */
public final class ConsumerLag implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
    private static final Duration WAIT = Duration.ofSeconds(3);

    /** Where a group's next offsets are, per partition; a partition it has no position on is read from its start. */
    @FunctionalInterface
    public interface Positions {
        Map<TopicPartition, Long> read() throws Exception;
    }

    /** @param topics what the group reads, beyond the partitions it has positions on */
    private record Group(String id, List<String> topics, Positions positions) {
    }

    private final Admin admin;
    private final MultiGauge gauge;
    /** Added while the roles start, read by the management server's threads. */
    private final List<Group> groups = new CopyOnWriteArrayList<>();

    ConsumerLag(KafkaConnection kafka, MeterRegistry registry) {
        this.admin = Admin.create(kafka.config(Map.of(AdminClientConfig.CLIENT_ID_CONFIG, "dynrag-consumer-lag")));
        this.gauge = MultiGauge.builder(Meters.CONSUMER_LAG)
                .description("Records a consumer group has yet to read, over all its partitions")
                .register(registry);
    }

    /** A group whose position is Kafka's committed offsets. */
    public void committedToKafka(String group) {
        groups.add(new Group(group, List.of(), () -> admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).entrySet().stream()
                .filter(entry -> entry.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()))));
    }

    /** A group that keeps its position itself, reading {@code topics}. */
    public void storedByItself(String group, List<String> topics, Positions positions) {
        groups.add(new Group(group, List.copyOf(topics), positions));
    }

    /** Reads every group's lag again; when one cannot be read (the broker is away), all keep their last values. */
    void refresh() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Group group : groups) {
            try {
                rows.add(MultiGauge.Row.of(Tags.of(Meters.GROUP, group.id()), lag(group)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                log.debug("Lag of {} not read: {}", group.id(), e.toString());
                return;
            }
        }
        gauge.register(rows, true);
    }

    private long lag(Group group) throws Exception {
        Map<TopicPartition, Long> positions = group.positions().read();
        Set<TopicPartition> partitions = new HashSet<>(positions.keySet());
        if (!group.topics().isEmpty()) {
            for (TopicDescription topic : admin.describeTopics(group.topics()).allTopicNames()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).values()) {
                topic.partitions().forEach(partition -> partitions.add(
                        new TopicPartition(topic.name(), partition.partition())));
            }
        }
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
        long lag = 0;
        for (TopicPartition partition : partitions) {
            long position = positions.getOrDefault(partition, starts.getOrDefault(partition, 0L));
            // A transaction's commit marker takes an offset too, so an idle group may show one per partition.
            lag += Math.max(0, ends.getOrDefault(partition, position) - position);
        }
        return lag;
    }

    private Map<TopicPartition, Long> offsets(Set<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(partitions.stream()
                        .collect(Collectors.toMap(Function.identity(), partition -> spec)))
                .all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        found.forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
