package io.dynrag.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.chunking.Chunk;
import io.dynrag.pipeline.chunking.DocumentChunks;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The first ingest of a corpus three ways on the same machine, in the same JVM: through the whole
 * system (upload over HTTP until every document is indexed), the same ONNX model embedding the
 * same chunks directly (the machine's limit), and LangChain4j's {@code EmbeddingStoreIngestor}
 * with its bundled copy of the same model and chunks of the same size.
 */
final class IngestBench {

    /** What one way of ingesting did: word pieces of the model, in and actually embedded. */
    record Run(String name, long chunks, long wordPiecesIn, long wordPiecesEmbedded, Duration took) {

        double embeddedPerSecond() {
            return wordPiecesEmbedded / (took.toNanos() / 1e9);
        }
    }

    /**
     * The corpus as uploaded: what the incremental benchmark edits next.
     *
     * @param stageMillis the pipeline's time per stage, summed over all documents
     */
    record Ingested(String apiKey, List<BenchCorpus.Document> documents, List<String> documentIds, Run endToEnd,
                    Map<String, Long> stageMillis) {
    }

    private static final int UPLOAD_THREADS = 4;

    private final BenchSystem system;
    private final MiniLmEmbeddingModel model;
    private final int chunkTokens;

    /** @param model a model of our own, idle while the system runs, for the raw measurement */
    IngestBench(BenchSystem system, MiniLmEmbeddingModel model, int chunkTokens) {
        this.system = system;
        this.model = model;
        this.chunkTokens = chunkTokens;
    }

    /** Uploads every document and waits until all are indexed. */
    Ingested endToEnd(List<BenchCorpus.Document> documents) {
        String apiKey = system.registerCustomer("Ingest benchmark").apiKey();
        BenchClient client = system.client();
        long started = System.nanoTime();
        List<String> ids = new ArrayList<>(documents.size());
        ExecutorService uploaders = Executors.newFixedThreadPool(UPLOAD_THREADS);
        try {
            List<Future<String>> uploads = new ArrayList<>();
            for (BenchCorpus.Document document : documents) {
                uploads.add(uploaders.submit(() -> client.upload("/v1/documents", apiKey, document.name(),
                        document.markdown().getBytes(StandardCharsets.UTF_8)).expect(202).json()
                        .get("documentId").asText()));
            }
            for (Future<String> upload : uploads) {
                ids.add(upload.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("an upload failed", e);
        } finally {
            uploaders.shutdownNow();
        }
        while (client.documentsWithStatus(apiKey, "INDEXED") < documents.size()) {
            long failed = client.documentsWithStatus(apiKey, "FAILED");
            if (failed > 0) {
                throw new IllegalStateException(failed + " documents failed to index");
            }
            BenchSystem.sleep(Duration.ofMillis(100));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        long chunks = 0;
        long tokens = 0;
        long embedded = 0;
        Map<String, Long> stageMillis = new LinkedHashMap<>();
        for (String id : ids) {
            JsonNode view = client.get("/v1/documents/" + id + "/versions", apiKey).expect(200).json()
                    .get("versions").get(0);
            chunks += view.get("chunks").asLong();
            tokens += view.get("tokens").asLong();
            embedded += view.get("embeddedTokens").asLong();
            view.get("stageMillis").properties().forEach(stage ->
                    stageMillis.merge(stage.getKey(), stage.getValue().asLong(), Long::sum));
        }
        return new Ingested(apiKey, documents, ids,
                new Run("Dynamic RAG, upload to indexed", chunks, tokens, embedded, took), stageMillis);
    }

    /**
     * The pipeline's own chunks of the documents, embedded by the model with nothing else running:
     * all in one call (the machine's limit), or one call per document as the pipeline makes them.
     */
    Run raw(List<BenchCorpus.Document> documents, boolean perDocument) {
        return raw(model, documents, perDocument, perDocument ? "ONNX model alone, same chunks, one call per document"
                : "ONNX model alone, same chunks, one call (the limit)");
    }

    /** The same chunks (cut by MiniLM's word pieces) in one call to another local model. */
    Run rawOther(EmbeddingModel other, List<BenchCorpus.Document> documents) {
        return raw(other, documents, false, "ONNX model " + other.id() + " alone, same chunks, one call");
    }

    private Run raw(EmbeddingModel embedder, List<BenchCorpus.Document> documents, boolean perDocument,
                    String name) {
        List<List<String>> calls = new ArrayList<>();
        long chunks = 0;
        long tokens = 0;
        for (List<Chunk> documentChunks : chunksOf(documents)) {
            List<String> texts = documentChunks.stream().map(Chunk::text).toList();
            chunks += texts.size();
            tokens += documentChunks.stream().mapToLong(Chunk::tokenCount).sum();
            if (perDocument || calls.isEmpty()) {
                calls.add(new ArrayList<>(texts));
            } else {
                calls.getFirst().addAll(texts);
            }
        }
        long started = System.nanoTime();
        calls.forEach(embedder::embed);
        return new Run(name, chunks, tokens, tokens, Duration.ofNanos(System.nanoTime() - started));
    }

    /** The pipeline's chunks of each document, as the pipeline makes them. */
    private List<List<Chunk>> chunksOf(List<BenchCorpus.Document> documents) {
        return documents.stream().map(document -> DocumentChunks.of(document.markdown(), DocumentFormat.MARKDOWN,
                chunkTokens, 0, model)).toList();
    }

    /**
     * How close a model's int8 vectors are to its fp32 ones on the corpus chunks: their mean cosine, and
     * the share of each chunk's ten nearest chunks (by fp32) that int8 also ranks among its ten.
     */
    record Agreement(int chunks, double meanCosine, double overlapAt10) {
    }

    Agreement agreement(EmbeddingModel fp32, EmbeddingModel int8, List<BenchCorpus.Document> documents, int chunks) {
        List<String> texts = chunksOf(documents).stream().flatMap(List::stream).map(Chunk::text).limit(chunks)
                .toList();
        List<float[]> exact = fp32.embed(texts);
        List<float[]> quantized = int8.embed(texts);
        double cosines = 0;
        for (int i = 0; i < texts.size(); i++) {
            cosines += dot(exact.get(i), quantized.get(i));
        }
        int queries = Math.min(100, texts.size());
        long shared = 0;
        for (int q = 0; q < queries; q++) {
            Set<Integer> byExact = nearest(exact, q, 10);
            byExact.retainAll(nearest(quantized, q, 10));
            shared += byExact.size();
        }
        return new Agreement(texts.size(), cosines / texts.size(), (double) shared / (10.0 * queries));
    }

    /** The {@code k} vectors nearest to vector {@code query} of the same list, itself excluded. */
    private static Set<Integer> nearest(List<float[]> vectors, int query, int k) {
        return java.util.stream.IntStream.range(0, vectors.size()).filter(i -> i != query).boxed()
                .sorted(Comparator.comparingDouble(i -> -dot(vectors.get(i), vectors.get(query))))
                .limit(k).collect(java.util.stream.Collectors.toCollection(HashSet::new));
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /**
     * LangChain4j splitting into segments of at most {@code chunkTokens} of the same word pieces.
     * Its bundled model truncates long inputs; the limit is measured, not assumed, and the word
     * pieces beyond it count as input but not as embedded.
     */
    Run langChain4j(String name, List<BenchCorpus.Document> documents) {
        AllMiniLmL6V2EmbeddingModel theirs = new AllMiniLmL6V2EmbeddingModel();
        int limit = embeddedWordPieceLimit(theirs, documents.getFirst());
        DocumentSplitter splitter = DocumentSplitters.recursive(chunkTokens, 0, new HuggingFaceTokenCountEstimator());
        List<Document> inputs = documents.stream().map(document -> Document.from(document.markdown())).toList();
        long segments = 0;
        long tokens = 0;
        long embedded = 0;
        for (TextSegment segment : splitter.splitAll(inputs)) {
            int pieces = model.tokenizer().count(segment.text());
            segments++;
            tokens += pieces;
            embedded += Math.min(pieces, limit);
        }
        EmbeddingStoreIngestor ingestor = EmbeddingStoreIngestor.builder()
                .documentSplitter(splitter)
                .embeddingModel(theirs)
                .embeddingStore(new InMemoryEmbeddingStore<TextSegment>())
                .build();
        long started = System.nanoTime();
        ingestor.ingest(inputs);
        return new Run(name + " (embeds at most " + limit + " word pieces per segment)", segments, tokens, embedded,
                Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * The longest prefix, in word pieces, that changes the vector: texts that differ only after it
     * get bit-identical vectors, so the model never saw that part.
     */
    private int embeddedWordPieceLimit(AllMiniLmL6V2EmbeddingModel theirs, BenchCorpus.Document sample) {
        String[] words = sample.markdown().split("\\s+");
        int all = Math.min(words.length, 600);
        float[] full = theirs.embed(String.join(" ", Arrays.copyOf(words, all))).content().vector();
        int low = 1;
        int high = all;
        while (low < high) {
            int middle = (low + high) / 2;
            float[] prefix = theirs.embed(String.join(" ", Arrays.copyOf(words, middle))).content().vector();
            if (Arrays.equals(prefix, full)) {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        return model.tokenizer().count(String.join(" ", Arrays.copyOf(words, low)));
    }
}
