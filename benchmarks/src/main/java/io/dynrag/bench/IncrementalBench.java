package io.dynrag.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.corpus.BenchCorpus;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * New versions after small edits: about 1% of all paragraphs rewritten, spread over the
 * documents, then every document uploaded again as a client syncing a folder would. Unchanged
 * bytes are recognised; changed documents re-embed only the chunks an edit touched.
 */
final class IncrementalBench {

    /** What re-ingesting cost, next to the first ingest. */
    record Result(int documentsChanged, int paragraphsEdited, int paragraphsTotal, IngestBench.Run run) {
    }

    private static final double EDITED_SHARE = 0.01;

    private final BenchSystem system;
    private final BenchCorpus corpus;

    IncrementalBench(BenchSystem system, BenchCorpus corpus) {
        this.system = system;
        this.corpus = corpus;
    }

    /** The edited documents by index into the ingested corpus; at most one paragraph each. */
    Map<Integer, BenchCorpus.Document> edit(List<BenchCorpus.Document> documents, long seed) {
        int total = documents.stream().mapToInt(BenchCorpus.Document::paragraphs).sum();
        int edits = Math.max(1, (int) Math.round(total * EDITED_SHARE));
        Random random = new Random(seed);
        Map<Integer, BenchCorpus.Document> edited = new LinkedHashMap<>();
        Set<Integer> chosen = new HashSet<>();
        while (chosen.size() < Math.min(edits, documents.size())) {
            chosen.add(random.nextInt(documents.size()));
        }
        for (int index : chosen.stream().sorted().toList()) {
            BenchCorpus.Document document = documents.get(index);
            int paragraph = random.nextInt(document.paragraphs());
            edited.put(index, document.withParagraph(paragraph, corpus.paragraphLike(document)));
        }
        return edited;
    }

    Result dynamicRag(IngestBench.Ingested first, Map<Integer, BenchCorpus.Document> edited) {
        BenchClient client = system.client();
        long started = System.nanoTime();
        for (int i = 0; i < first.documents().size(); i++) {
            BenchCorpus.Document document = edited.getOrDefault(i, first.documents().get(i));
            int status = client.upload("/v1/documents/" + first.documentIds().get(i) + "/versions", first.apiKey(),
                    document.name(), document.markdown().getBytes(StandardCharsets.UTF_8)).status();
            int expected = edited.containsKey(i) ? 202 : 200;
            if (status != expected) {
                throw new IllegalStateException("version upload of " + document.name() + " answered " + status
                        + ", expected " + expected);
            }
        }
        long chunks = 0;
        long tokens = 0;
        long embedded = 0;
        for (int index : edited.keySet()) {
            JsonNode view = client.awaitIndexed(first.apiKey(), first.documentIds().get(index), 2,
                    Duration.ofMillis(50), Duration.ofMinutes(10));
            chunks += view.get("chunks").asLong() - view.get("reusedChunks").asLong();
            tokens += view.get("tokens").asLong();
            embedded += view.get("embeddedTokens").asLong();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        int total = first.documents().stream().mapToInt(BenchCorpus.Document::paragraphs).sum();
        return new Result(edited.size(), edited.size(), total,
                new IngestBench.Run("Dynamic RAG, every document uploaded again", chunks, tokens, embedded, took));
    }
}
