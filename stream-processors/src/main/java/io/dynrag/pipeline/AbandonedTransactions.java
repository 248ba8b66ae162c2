package io.dynrag.pipeline;

import io.dynrag.schemas.connection.KafkaConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Aborts the Kafka transactions that pipeline instances left open when they died.
 *
 * <p>Kafka Streams names a transactional producer after the process it runs in
 * ({@code <application>-<process id>-<thread>}), and draws the process id afresh at every start. So
 * after a {@code kill -9} nobody fences the dead instance's open transaction: not its restart (another
 * process id), not the instance its partitions move to (another id again). Until the broker times the
 * transaction out (the longest-document setting plus 5 minutes, 15 minutes by default) the input offsets it committed
 * stay pending, so whoever takes its partitions over cannot start on them, and read_committed readers of
 * the topics it wrote to (the ingestion results) are held back.
 *
 * <p>Every few seconds this lists the application's open transactions, then the members of its consumer
 * group, and fences each transaction whose process is no longer a member, which aborts it at once. The
 * order matters: a process must be a member to begin a transaction, so one that is not a member after
 * its transaction was listed has left, or been removed from, the group. Every instance runs this;
 * fencing twice does no harm.
 */
final class AbandonedTransactions implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AbandonedTransactions.class);
    static final Duration INTERVAL = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /** The process id Kafka Streams puts into its client ids and transactional ids, after the application id. */
    private static final Pattern PROCESS_ID = Pattern.compile(
            "-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-");

    private final Admin admin;
    private final String applicationId;
    private final ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "abandoned-transactions");
        thread.setDaemon(true);
        return thread;
    });

    AbandonedTransactions(KafkaConnection kafka, String applicationId) {
        this.admin = Admin.create(kafka.config(Map.of(
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) REQUEST_TIMEOUT.toMillis())));
        this.applicationId = applicationId;
    }

    void start() {
        schedule.scheduleWithFixedDelay(this::fenceQuietly, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** @return the transactional ids fenced */
    List<String> fenceAbandoned() throws ExecutionException, InterruptedException, TimeoutException {
        Collection<TransactionListing> open = admin.listTransactions(new ListTransactionsOptions()
                        .filterStates(List.of(TransactionState.ONGOING))
                        .filterOnTransactionalIdPattern(Pattern.quote(applicationId + "-") + ".*"))
                .all().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (open.isEmpty()) {
            return List.of();
        }
        Optional<Set<String>> members = memberProcesses();
        if (members.isEmpty()) {
            return List.of();
        }
        List<String> abandoned = open.stream().map(TransactionListing::transactionalId)
                .filter(id -> processOf(id).filter(process -> !members.get().contains(process)).isPresent())
                .toList();
        if (!abandoned.isEmpty()) {
            admin.fenceProducers(abandoned).all().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Aborted the open transactions of {}: their processes have left the group {}", abandoned,
                    applicationId);
        }
        return abandoned;
    }

    /** The process ids of the group's members; empty when a member's client id does not name one. */
    private Optional<Set<String>> memberProcesses() throws ExecutionException, InterruptedException, TimeoutException {
        ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(applicationId))
                .describedGroups().get(applicationId).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Set<String> processes = new HashSet<>();
        for (MemberDescription member : group.members()) {
            Optional<String> process = processOf(member.clientId());
            if (process.isEmpty()) {
                // A client id set by hand hides which process a member is: fence nothing rather than a live one.
                log.warn("Member {} of {} does not name its process; open transactions are left to time out",
                        member.clientId(), applicationId);
                return Optional.empty();
            }
            processes.add(process.get());
        }
        return Optional.of(processes);
    }

    private Optional<String> processOf(String clientOrTransactionalId) {
        if (!clientOrTransactionalId.startsWith(applicationId)) {
            return Optional.empty();
        }
        Matcher matcher = PROCESS_ID.matcher(clientOrTransactionalId.substring(applicationId.length()));
        return matcher.lookingAt() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    private void fenceQuietly() {
        try {
            fenceAbandoned();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            log.debug("Looking for abandoned transactions failed; trying again in {}", INTERVAL, e);
        }
    }

    @Override
    public void close() {
        schedule.shutdownNow();
        admin.close(Duration.ofSeconds(5));
    }
}
