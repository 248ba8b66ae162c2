package io.dynrag.app.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * How far behind the ends of their partitions the consumer groups of this process's roles are: the records
 * each has yet to read, summed over its partitions. Read from the brokers' committed offsets when metrics are
 * scraped, so it is the group's lag whichever of its members runs where; a role's groups are those whose ids
 * start with one of its prefixes.
 */
final class ConsumerLag implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);
    private static final Duration WAIT = Duration.ofSeconds(3);

    private final Admin admin;
    private final Set<String> groupPrefixes;
    private final MultiGauge gauge;

    ConsumerLag(String bootstrapServers, Set<String> groupPrefixes, MeterRegistry registry) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "dynrag-consumer-lag"));
        this.groupPrefixes = Set.copyOf(groupPrefixes);
        this.gauge = MultiGauge.builder(Meters.CONSUMER_LAG)
                .description("Records a consumer group has yet to read, over all its partitions")
                .register(registry);
    }

    /** Reads every group's lag again; on a broker that does not answer in time, the last values stay. */
    void refresh() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (String group : groups()) {
                rows.add(MultiGauge.Row.of(Tags.of(Meters.GROUP, group), lag(group)));
            }
            gauge.register(rows, true);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("Consumer lag not read: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> groups() throws ExecutionException, InterruptedException, TimeoutException {
        return admin.listGroups().all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS).stream()
                .map(GroupListing::groupId)
                .filter(id -> groupPrefixes.stream().anyMatch(id::startsWith))
                .sorted()
                .toList();
    }

    private long lag(String group) throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = committed.keySet().stream()
                .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        long lag = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            ListOffsetsResult.ListOffsetsResultInfo end = ends.get(entry.getKey());
            if (entry.getValue() != null && end != null) {
                // A transaction's commit marker takes an offset too, so an idle group may show one per partition.
                lag += Math.max(0, end.offset() - entry.getValue().offset());
            }
        }
        return lag;
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
