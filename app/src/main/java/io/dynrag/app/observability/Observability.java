package io.dynrag.app.observability;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.pipeline.ingestion.IngestionMetrics;
import io.dynrag.platform.http.RequestObserver;
import io.dynrag.schemas.connection.KafkaConnection;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The metrics and health of one process, whatever roles it runs: one registry, and one management server
 * ({@link ManagementServer}) that serves it with the readiness checks the roles add as they start. The roles'
 * wiring asks it for what each role reports to.
 */
public final class Observability implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();
    /** Set while the roles start, read by the management server's threads. */
    private volatile ConsumerLag lag;
    private KafkaClientMeters kafkaClients;
    private final ManagementServer server;

    private Observability(String host, int port, Map<String, BooleanSupplier> readiness) {
        // First: a port already taken stops the start before anything needs releasing.
        this.server = new ManagementServer(host, port, registry, this::refreshLag, readiness);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = own(new JvmGcMetrics());
        gc.bindTo(registry);
    }

    /**
     * Starts the management server first thing, so that it answers (not ready) while the roles start.
     *
     * @param readiness the checks {@code /health/ready} runs; the roles add theirs as they start
     */
    public static Observability start(String host, int port, Map<String, BooleanSupplier> readiness) {
        return new Observability(host, port, readiness);
    }

    /** The API role's uploads and searches. */
    public RequestObserver requests() {
        return new RequestMeters(registry);
    }

    /** The pipeline role's documents, stages, word pieces, dead letters and Kafka Streams. */
    public IngestionMetrics pipeline() {
        return own(new PipelineMeters(registry));
    }

    /** The pool's connections (active, idle, pending) and waits, tagged with its name; once per pool. */
    public HikariDataSource pool(HikariDataSource pool) {
        pool.setMetricRegistry(registry);
        return pool;
    }

    /** Where the roles name the consumer groups whose lag is reported; the same one each time. */
    public synchronized ConsumerLag consumerLag(KafkaConnection kafka) {
        if (lag == null) {
            lag = own(new ConsumerLag(kafka, registry));
        }
        return lag;
    }

    /** The connection whose producers and consumers report their Kafka client metrics here while open. */
    public synchronized KafkaConnection reporting(KafkaConnection kafka) {
        if (kafkaClients == null) {
            kafkaClients = own(new KafkaClientMeters(registry));
        }
        return kafka.reportingTo(kafkaClients);
    }

    private void refreshLag() {
        ConsumerLag current = lag;
        if (current != null) {
            current.refresh();
        }
    }

    /** A readiness check: a connection from the pool answers. */
    public static BooleanSupplier reachable(DataSource database) {
        return () -> {
            try (Connection connection = database.getConnection()) {
                return connection.isValid(2);
            } catch (SQLException e) {
                return false;
            }
        };
    }

    public int port() {
        return server.port();
    }

    private <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public void close() {
        server.close();
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                // Stopping: what a meter binder fails to release goes with the process.
            }
        }
        registry.close();
    }
}
