package io.dynrag.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time spent by each part of the system, from Linux's per-thread and per-process accounting:
 * this JVM's threads grouped by name (the embedded Kafka broker and S3 server run in it), and the
 * embedded PostgreSQL's processes, found by the data directory on their command line. Elsewhere
 * than Linux every figure is zero.
 */
final class CpuAccounting {

    /** Linux reports CPU time in clock ticks of 1/100 s on every common configuration. */
    private static final double MILLIS_PER_TICK = 10.0;

    /** Thread name prefixes (as the kernel keeps them, 15 characters) and the part they belong to. */
    private static final List<Map.Entry<String, String>> PARTS = List.of(
            Map.entry("ForkJoinPool", "HTTP request handling"),
            Map.entry("HttpClient", "load generator"),
            Map.entry("S3Proxy", "S3 server"),
            Map.entry("SNProxy", "S3 server"),
            Map.entry("C1 Compiler", "JIT compilers"),
            Map.entry("C2 Compiler", "JIT compilers"),
            Map.entry("GC Thread", "garbage collector"),
            Map.entry("G1 ", "garbage collector"),
            Map.entry("data-plane", "Kafka broker"),
            Map.entry("TxnMarker", "Kafka broker"),
            Map.entry("AddPartitions", "Kafka broker"),
            Map.entry("kafka-1-", "Kafka broker"),
            Map.entry("quorum-", "Kafka broker"),
            Map.entry("broker-", "Kafka broker"),
            Map.entry("group-coordina", "Kafka broker"),
            Map.entry("transaction-", "Kafka broker"));
    static final String DATABASE = "PostgreSQL";
    static final String OTHER = "other threads (publisher, projections, Kafka clients)";

    private final Path dataDir;

    /** @param dataDir the data directory of the embedded servers, which names PostgreSQL's processes */
    CpuAccounting(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Milliseconds of CPU each part has used so far, in a fixed order. */
    Map<String, Double> snapshot() {
        Map<String, Double> millis = new LinkedHashMap<>();
        PARTS.forEach(part -> millis.put(part.getValue(), 0.0));
        millis.put(OTHER, 0.0);
        millis.put(DATABASE, 0.0);
        try (Stream<Path> threads = Files.list(Path.of("/proc/self/task"))) {
            threads.forEach(thread -> {
                String name = read(thread.resolve("comm")).strip();
                millis.merge(partOf(name), ticks(read(thread.resolve("stat"))) * MILLIS_PER_TICK, Double::sum);
            });
        } catch (IOException | RuntimeException e) {
            return millis;
        }
        String directory = dataDir.toString();
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains("postgres")
                        && line.contains(directory)).orElse(false))
                .forEach(process -> millis.merge(DATABASE,
                        ticks(read(Path.of("/proc", Long.toString(process.pid()), "stat"))) * MILLIS_PER_TICK,
                        Double::sum));
        return millis;
    }

    /** {@code after - before}, part by part. */
    static Map<String, Double> spent(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> spent = new LinkedHashMap<>();
        after.forEach((part, millis) -> spent.put(part, millis - before.getOrDefault(part, 0.0)));
        return spent;
    }

    private static String partOf(String threadName) {
        return PARTS.stream().filter(part -> threadName.startsWith(part.getKey())).map(Map.Entry::getValue)
                .findFirst().orElse(OTHER);
    }

    /** User plus system time from a stat line; the name in parentheses may itself hold spaces. */
    private static long ticks(String stat) {
        if (stat.isEmpty()) {
            return 0;
        }
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            // The thread or process ended in between: it no longer counts.
            return "";
        }
    }
}
