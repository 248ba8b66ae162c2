package io.dynrag.pipeline.ingestion;

import io.dynrag.domain.billing.EmbeddingPrices;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.domain.document.format.DocumentFormat;
import io.dynrag.pipeline.chunking.Chunk;
import io.dynrag.pipeline.chunking.DocumentChunks;
import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.deadline.DocumentWorkers;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModels;
import io.dynrag.pipeline.embedding.openai.EmbeddingProviderException;
import io.dynrag.pipeline.embedding.openai.Cl100kTokenCounter;
import io.dynrag.pipeline.extraction.ExtractedText;
import io.dynrag.pipeline.extraction.ExtractionFailedException;
import io.dynrag.pipeline.extraction.ExtractionLimits;
import io.dynrag.pipeline.extraction.TextExtractor;
import io.dynrag.vectorstore.ChunkIndex;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Indexes one document version: fetch, extract, chunk, embed what is new, write the
 * tenant's dataset. Every failure ends in an outcome with a reason the user can read; a
 * failing dependency is retried first.
 *
 * <p>Everything up to the embedding runs on a {@link DocumentWorkers} worker under the document's
 * deadline ({@link IngestionLimits#longestDocument()}) and only reads; the write runs on the calling
 * stream thread once the worker has finished in time. A document over the deadline, or one whose
 * processing overflows the stack or the heap, fails with the reason while the stream thread goes on,
 * and a worker given up on can write nothing.
 *
 * <p>Running the same job twice gives the same rows: chunking is deterministic, vectors of
 * chunks already stored are reused, and the dataset write replaces the document's rows.
 */
public final class DocumentIngestor {

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(DocumentIngestor.class);
    /** Large enough to keep every embedding session busy, small enough for frequent progress. */
    private static final int EMBED_BATCH = 32;

    private final DocumentSource objects;
    private final TextExtractor extractor = new TextExtractor();
    private final int defaultChunkTokens;
    private final EmbeddingModels models;
    private final ChunkIndex store;
    private final IngestionLimits limits;
    private final EmbeddingPrices prices;
    private final ProgressReporter progress;
    private final AfterWrite afterWrite;
    private final DocumentWorkers workers;

    /**
     * @param defaultChunkTokens chunk size for jobs that do not ask for one
     * @param afterWrite         told the job and model after every write to a dataset (to index it in time, to
     *                           clean up its history)
     * @param workers            where each document is processed up to its write
     */
    public DocumentIngestor(DocumentSource objects, int defaultChunkTokens, EmbeddingModels models,
                            ChunkIndex store, IngestionLimits limits, EmbeddingPrices prices,
                            ProgressReporter progress, AfterWrite afterWrite,
                            DocumentWorkers workers) {
        this.objects = objects;
        this.defaultChunkTokens = defaultChunkTokens;
        this.models = models;
        this.store = store;
        this.limits = limits;
        this.prices = prices;
        this.progress = progress;
        this.afterWrite = afterWrite;
        this.workers = workers;
    }

    /**
     * @param maxBytes    the largest document the pipeline reads
     * @param attempts    how often a failing dependency is tried before the job fails as retryable
     * @param firstBackoff wait before the second attempt; doubles after each further attempt
     * @param longestDocument the longest fetching, extracting, chunking and embedding one document may
     *                     take; past it the document fails
     */
    public record IngestionLimits(long maxBytes, int attempts, Duration firstBackoff, ExtractionLimits extraction,
                                  Duration longestDocument) {
    }

    public IngestionOutcome ingest(IngestionJob job) {
        try {
            Prepared prepared = workers.run("document " + job.documentId() + " v" + job.version() + " of "
                    + job.customerId(), limits.longestDocument(), deadline -> prepare(job, deadline));
            return write(job, prepared);
        } catch (DocumentWorkers.ShuttingDownException e) {
            throw e;   // not an outcome: the document is processed again after the restart
        } catch (DocumentDeadline.DeadlineExceededException e) {
            return failed(job, e.getMessage(), e.retryable(), null);
        } catch (DocumentWorkers.UnprocessableDocumentException e) {
            return failed(job, e.getMessage(), false, null);
        } catch (DocumentSource.StorageUnavailableException e) {
            return failed(job, e.getMessage() + " after " + limits.attempts() + " attempts", true, e);
        } catch (DocumentSource.MissingObjectException | DocumentSource.DocumentTooLargeException
                 | UnreadableDocumentException e) {
            return failed(job, e.getMessage(), false, null);
        } catch (ExtractionFailedException e) {
            return failed(job, e.getMessage(), e.retryable(), null);
        } catch (EmbeddingProviderException e) {
            return failed(job, "the embedding provider failed: " + e.getMessage(), e.retryable(), null);
        } catch (RuntimeException e) {
            return failed(job, "indexing failed unexpectedly (" + e.getClass().getSimpleName() + ")", false, e);
        }
    }

    /** Everything the write needs, worked out on the worker; nothing of it is stored yet. */
    private record Prepared(String model, List<ChunkRow> rows, long tokens, long embeddedTokens, int reusedChunks,
                            long meteredTokens, Map<String, Long> stageMillis, long characters, int pages) {
    }

    /**
     * On a worker, under the document's deadline: fetch, extract, chunk and embed, reading the stored
     * vectors but writing nothing, so that a worker given up on leaves no trace.
     */
    private Prepared prepare(IngestionJob job, DocumentDeadline deadline) {
        try (EmbeddingModels.Handle handle = models.forCustomer(job.customerId(), job.embeddingModel())) {
            return prepare(job, handle.model(), deadline);
        } catch (EmbeddingModels.UnavailableModelException e) {
            throw new UnreadableDocumentException(e.getMessage());
        }
    }

    private Prepared prepare(IngestionJob job, EmbeddingModel model, DocumentDeadline deadline) {
        int chunkTokens = job.chunkTokens() > 0 ? job.chunkTokens()
                : Math.min(defaultChunkTokens, model.maxInputTokens());
        if (chunkTokens + job.chunkOverlapTokens() > model.maxInputTokens()) {
            throw new UnreadableDocumentException("chunks of " + chunkTokens + " plus an overlap of "
                    + job.chunkOverlapTokens() + " tokens exceed the input limit of " + model.id() + " ("
                    + model.maxInputTokens() + ")");
        }
        Map<String, Long> stageMillis = new LinkedHashMap<>();
        long start = System.nanoTime();

        enter(deadline, job, "fetch", 0, 0);
        byte[] bytes = withRetries(() -> objects.read(job.s3Key(), limits.maxBytes()));
        start = lap(stageMillis, "fetch", start);

        DocumentFormat format = DocumentFormat.fromMediaType(job.contentType()).orElseThrow(() ->
                new UnreadableDocumentException("documents of type " + job.contentType() + " cannot be indexed"));
        enter(deadline, job, "extract", 0, 0);
        ExtractedText extracted = extractor.extract(bytes, format, limits.extraction());
        String text = extracted.text();
        start = lap(stageMillis, "extract", start);

        enter(deadline, job, "chunk", 0, 0);
        List<Chunk> chunks = DocumentChunks.of(text, extracted.chunkingFormat(), chunkTokens,
                job.chunkOverlapTokens(), model);
        if (chunks.isEmpty()) {
            throw new UnreadableDocumentException("the document contains no text to index");
        }
        start = lap(stageMillis, "chunk", start);

        Map<String, float[]> stored = store.vectorsByContentHash(job.customerId(), model.id(), job.documentId());
        Map<String, Chunk> toEmbed = new LinkedHashMap<>();
        for (Chunk chunk : chunks) {
            if (!stored.containsKey(chunk.contentHash())) {
                toEmbed.putIfAbsent(chunk.contentHash(), chunk);
            }
        }
        List<float[]> embedded = embed(job, model, List.copyOf(toEmbed.values()), chunks.size(), deadline);
        Map<String, float[]> vectors = new HashMap<>(stored);
        int next = 0;
        for (String contentHash : toEmbed.keySet()) {
            vectors.put(contentHash, embedded.get(next++));
        }
        lap(stageMillis, "embed", start);

        List<ChunkRow> rows = new ArrayList<>(chunks.size());
        for (Chunk chunk : chunks) {
            rows.add(new ChunkRow(job.documentId(), job.version(), chunk.index(), chunk.text(), chunk.tokenCount(),
                    chunk.contentHash(), chunk.charStart(), chunk.charEnd(), extracted.pageAt(chunk.charStart()),
                    model.id(),
                    vectors.get(chunk.contentHash())));
        }
        long tokens = chunks.stream().mapToLong(Chunk::tokenCount).sum();
        long embeddedTokens = toEmbed.values().stream().mapToLong(Chunk::tokenCount).sum();
        int reused = (int) chunks.stream().filter(c -> stored.containsKey(c.contentHash())).count();
        long meteredTokens = chunks.stream().mapToLong(chunk -> Cl100kTokenCounter.INSTANCE.count(chunk.text())).sum();
        return new Prepared(model.id(), rows, tokens, embeddedTokens, reused, meteredTokens, stageMillis,
                text.length(), extracted.pages());
    }

    /**
     * On the stream thread, once the worker finished in time: replaces the document's rows in the
     * tenant's dataset. Only here does indexing change anything, inside the transaction that records
     * the outcome.
     */
    private IngestionOutcome write(IngestionJob job, Prepared prepared) {
        long start = System.nanoTime();
        int chunks = prepared.rows().size();
        progress.report(job, "write", chunks, chunks);
        long lanceVersion = store.replaceDocument(job.customerId(), prepared.model(), job.documentId(),
                prepared.rows());
        afterWrite.written(job, prepared.model());
        Map<String, Long> stageMillis = new LinkedHashMap<>(prepared.stageMillis());
        lap(stageMillis, "write", start);
        log.info("Indexed document {} v{} of {}: {} chunks, {} tokens ({} embedded), dataset version {}",
                job.documentId(), job.version(), job.customerId(), chunks, prepared.tokens(),
                prepared.embeddedTokens(), lanceVersion);
        return new IngestionOutcome.Indexed(new IndexingStats(chunks, prepared.tokens(), prepared.embeddedTokens(),
                prepared.reusedChunks(), lanceVersion, prepared.model(), stageMillis, prepared.characters(),
                prepared.pages(), prepared.meteredTokens(), prices.costMicroUsd(prepared.model(), prepared.embeddedTokens())));
    }

    /** Checks the deadline and reports the stage, unless the pipeline gave up on the document meanwhile. */
    private void enter(DocumentDeadline deadline, IngestionJob job, String stage, int chunksEmbedded,
                       int chunksTotal) {
        deadline.enter(stage);
        deadline.unlessGivenUp(() -> progress.report(job, stage, chunksEmbedded, chunksTotal));
    }

    /**
     * Embeds in batches, reporting after each, so a large document shows its progress; the deadline
     * is checked between batches.
     */
    private List<float[]> embed(IngestionJob job, EmbeddingModel model, List<Chunk> toEmbed, int totalChunks,
                                DocumentDeadline deadline) {
        int reused = totalChunks - toEmbed.size();
        enter(deadline, job, "embed", reused, totalChunks);
        List<float[]> vectors = new ArrayList<>(toEmbed.size());
        for (int from = 0; from < toEmbed.size(); from += EMBED_BATCH) {
            List<Chunk> batch = toEmbed.subList(from, Math.min(from + EMBED_BATCH, toEmbed.size()));
            vectors.addAll(model.embed(batch.stream().map(Chunk::text).toList()));
            enter(deadline, job, "embed", reused + vectors.size(), totalChunks);
        }
        return vectors;
    }

    /**
     * Waits out an object-store outage of a minute or two, well inside the stream thread's poll
     * interval; a longer one fails the version as retryable.
     */
    private <T> T withRetries(Supplier<T> call) {
        Duration backoff = limits.firstBackoff();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (DocumentSource.StorageUnavailableException e) {
                if (attempt >= limits.attempts()) {
                    throw e;
                }
                log.warn("Object store unavailable (attempt {} of {}), retrying in {} ms: {}", attempt,
                        limits.attempts(), backoff.toMillis(), e.getMessage());
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static long lap(Map<String, Long> stageMillis, String stage, long since) {
        long now = System.nanoTime();
        stageMillis.put(stage, Duration.ofNanos(now - since).toMillis());
        return now;
    }

    private static IngestionOutcome failed(IngestionJob job, String reason, boolean retryable, Exception cause) {
        if (cause != null) {
            log.warn("Indexing document {} v{} of {} failed: {}", job.documentId(), job.version(), job.customerId(),
                    reason, cause);
        } else {
            log.info("Indexing document {} v{} of {} failed: {}", job.documentId(), job.version(),
                    job.customerId(), reason);
        }
        return new IngestionOutcome.Failed(reason, retryable);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }

    /** The bytes are there but hold nothing we can index. */
    static final class UnreadableDocumentException extends RuntimeException {
        UnreadableDocumentException(String message) {
            super(message);
        }
    }
}
