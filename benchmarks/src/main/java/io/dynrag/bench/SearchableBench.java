package io.dynrag.bench;

import io.dynrag.app.corpus.BenchCorpus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

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
