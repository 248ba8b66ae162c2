package io.dynrag.bench;

import io.dynrag.app.corpus.BenchCorpus;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Time to searchable: one document uploaded at a time, on an otherwise idle system, and the time
 * from sending the upload until the API reports it indexed (its rows are committed to the dataset
 * before that is recorded, so search finds it from then on).
 */
final class SearchableBench {

    private static final Duration POLL = Duration.ofMillis(10);

    private final BenchSystem system;

    SearchableBench(BenchSystem system) {
        this.system = system;
    }

    /**
     * Alone, and while auditors page through the whole event history, paced and flat out; the
     * loads take turns every few uploads.
     */
    static void report(BenchSystem system, BenchCorpus corpus, BenchCommand.Options options, PrintStream out) {
        SearchableBench bench = new SearchableBench(system);
        AuditReaders.Load[] loads = AuditReaders.Load.values();
        Map<AuditReaders.Load, List<Long>> millis = new java.util.EnumMap<>(AuditReaders.Load.class);
        int perTurn = 3;
        try (AuditReaders auditors = new AuditReaders(system.client(), system.adminToken())) {
            // Every load gets at least one turn, however few samples were asked for.
            int turnsPerLoad = Math.max(1, (options.samples() + perTurn - 1) / perTurn);
            for (int turn = 0; turn < turnsPerLoad * loads.length; turn++) {
                AuditReaders.Load load = loads[turn % loads.length];
                auditors.apply(load);
                for (long each : bench.run(corpus.documents(perTurn, options.wordPieces()))) {
                    millis.computeIfAbsent(load, key -> new ArrayList<>()).add(each);
                }
            }
            auditors.apply(AuditReaders.Load.NONE);
            out.println("## Time to searchable: single uploads of about " + options.wordPieces()
                    + " word pieces, one at a time, " + perTurn + " per turn of each load");
            out.println();
            MarkdownTable table = new MarkdownTable("while", "uploads", "audit events read/s", "p50 ms", "p99 ms",
                    "max ms");
            for (AuditReaders.Load load : loads) {
                long[] values = millis.get(load).stream().mapToLong(Long::longValue).toArray();
                table.row(load.description, values.length, Math.round(auditors.eventsPerSecond(load)),
                        Percentiles.of(values, 50), Percentiles.of(values, 99), Percentiles.of(values, 100));
            }
            table.print(out);
        }
    }

    /** @return milliseconds per document, in upload order */
    long[] run(List<BenchCorpus.Document> documents) {
        BenchSystem.Customer customer = system.registerCustomer("Time to searchable benchmark");
        BenchClient client = system.client();
        long[] millis = new long[documents.size()];
        for (int i = 0; i < documents.size(); i++) {
            BenchCorpus.Document document = documents.get(i);
            long started = System.nanoTime();
            String id = client.upload("/v1/documents", customer.apiKey(), document.name(),
                    document.markdown().getBytes(StandardCharsets.UTF_8)).expect(202).json().get("documentId").asText();
            client.awaitIndexed(customer.apiKey(), id, 1, POLL, Duration.ofMinutes(10));
            millis[i] = (System.nanoTime() - started) / 1_000_000;
        }
        return millis;
    }
}
