package io.dynrag.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single Kafka node (broker and KRaft controller) inside this JVM, for {@code dev} and tests.
 *
 * <p>All state lives in one directory that belongs to Kafka alone. The directory is formatted only
 * once, so a restart on the same directory keeps every topic, committed offset and transaction.
 * These are Kafka's internal server classes: nothing outside this class should touch them.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);

    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String CLIENT_LISTENER = "PLAINTEXT";
    private static final String LOOPBACK = "127.0.0.1";

    private final KafkaRaftServer server;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts a node whose clients connect on {@code port}, or on a free port when {@code port} is 0.
     * Returns once the broker accepts clients.
     */
    public static EmbeddedKafka start(Path directory, int port) {
        int clientPort = FreePorts.pickUnless(port);
        // The controller must be named in controller.quorum.voters before it binds, so it cannot use port 0.
        int controllerPort = FreePorts.pick();
        Properties config = brokerConfig(directory, clientPort, controllerPort);
        formatOnce(directory);

        long started = System.nanoTime();
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            throw e;
        }
        log.info("Kafka listening on {}:{} with data in {} (started in {} ms)",
                LOOPBACK, clientPort, directory, (System.nanoTime() - started) / 1_000_000);
        return new EmbeddedKafka(server, clientPort);
    }

    public String bootstrapServers() {
        return LOOPBACK + ":" + port;
    }

    public int port() {
        return port;
    }

    /** Stops the node and waits until its logs are flushed and closed. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.shutdown();
            server.awaitShutdown();
        }
    }

    private static Properties brokerConfig(Path directory, int clientPort, int controllerPort) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", Integer.toString(NODE_ID));
        p.setProperty("controller.quorum.voters", NODE_ID + "@" + LOOPBACK + ":" + controllerPort);
        p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
        p.setProperty("listeners", CLIENT_LISTENER + "://" + LOOPBACK + ":" + clientPort
                + "," + CONTROLLER_LISTENER + "://" + LOOPBACK + ":" + controllerPort);
        p.setProperty("advertised.listeners", CLIENT_LISTENER + "://" + LOOPBACK + ":" + clientPort);
        p.setProperty("listener.security.protocol.map",
                CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.setProperty("inter.broker.listener.name", CLIENT_LISTENER);
        p.setProperty("log.dirs", directory.toAbsolutePath().toString());
        // One node: internal topics cannot be replicated, and transactions need their state topic.
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Fifty partitions per internal topic only cost start-up time and file handles on one node.
        p.setProperty("offsets.topic.num.partitions", "1");
        p.setProperty("transaction.state.log.num.partitions", "1");
        // Consumers in tests and dev join alone; waiting for more members only adds latency.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // The default 128 MiB compaction buffer is sized for production brokers and lives on our heap.
        p.setProperty("log.cleaner.dedupe.buffer.size", Integer.toString(16 * 1024 * 1024));
        return p;
    }

    private static void formatOnce(Path directory) {
        if (Files.exists(directory.resolve("meta.properties"))) {
            return;
        }
        String clusterId = Uuid.randomUuid().toString();
        String dir = directory.toAbsolutePath().toString();
        try {
            Files.createDirectories(directory);
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8))
                    .setNodeId(NODE_ID)
                    .setClusterId(clusterId)
                    .addDirectory(dir)
                    .setMetadataLogDirectory(dir)
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Kafka directory " + directory, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka storage in " + directory, e);
        }
        log.info("Formatted Kafka storage in {} for cluster {}", directory, clusterId);
    }
}
