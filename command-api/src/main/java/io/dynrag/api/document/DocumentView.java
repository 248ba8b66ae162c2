package io.dynrag.api.document;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.platform.http.Json;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;

/**
 * A document (its latest version) or one of its versions, as its owner sees it. Metrics appear
 * once the version is indexed.
 *
 * @param metadata       the document's metadata (of this version, in a version listing); {@code {}} for none
 * @param status         PENDING, PROCESSING, INDEXED, FAILED, or DELETED for a deleted document
 * @param tokens         word pieces of the embedding model over all chunks
 * @param meteredTokens  the same text in an OpenAI encoding (cl100k_base)
 * @param embeddedTokens word pieces actually embedded; the rest reused the vectors of unchanged chunks
 * @param costUsd        embedding cost of the version
 * @param failureReason  why the version failed, only when FAILED
 * @param stageMillis    time per pipeline stage; on version listings only
 * @param progress       while the latest version is processed: the stage and chunks embedded so far
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DocumentView(
        String documentId,
        String title,
        Map<String, Object> metadata,
        String contentType,
        long bytes,
        int version,
        String status,
        Integer chunks,
        Long tokens,
        Long meteredTokens,
        Long embeddedTokens,
        Integer reusedChunks,
        Long characters,
        Integer pages,
        BigDecimal costUsd,
        String model,
        Long lanceVersion,
        String failureReason,
        Map<String, Long> stageMillis,
        Instant updatedAt,
        Progress progress) {

    /** How far the pipeline is, from its latest report. */
    public record Progress(String stage, int chunksEmbedded, int chunksTotal) {
    }

    /**
     * A version as its owner sees it, its metrics taken from its indexing statistics.
     *
     * @param stats       null until the version is indexed: no metrics
     * @param stageMillis the stage timings to show (version listings), else null
     */
    public static DocumentView of(String documentId, String title, Map<String, Object> metadata, String contentType,
                                  long bytes, int version,
                                  String status, IndexingStats stats, String failureReason,
                                  Map<String, Long> stageMillis, Instant updatedAt) {
        if (stats == null) {
            return new DocumentView(documentId, title, metadata, contentType, bytes, version, status, null, null, null, null,
                    null, null, null, null, null, null, failureReason, stageMillis, updatedAt, null);
        }
        return new DocumentView(documentId, title, metadata, contentType, bytes, version, status, stats.chunks(),
                stats.tokens(), stats.meteredTokens(), stats.embeddedTokens(), stats.reusedChunks(), stats.characters(),
                stats.pages(), Json.usd(stats.costMicroUsd()), stats.model(), stats.lanceVersion(), failureReason,
                stageMillis, updatedAt, null);
    }

    /** The same view with the title and metadata a later change gave the document {@code at} that instant. */
    public DocumentView describedAs(String newTitle, Map<String, Object> newMetadata, Instant at) {
        return new DocumentView(documentId, newTitle, newMetadata, contentType, bytes, version, status, chunks, tokens,
                meteredTokens, embeddedTokens, reusedChunks, characters, pages, costUsd, model, lanceVersion,
                failureReason, stageMillis, at, progress);
    }

    public DocumentView withProgress(Progress progress) {
        return new DocumentView(documentId, title, metadata, contentType, bytes, version, status, chunks, tokens, meteredTokens,
                embeddedTokens, reusedChunks, characters, pages, costUsd, model, lanceVersion, failureReason,
                stageMillis, updatedAt, progress);
    }
}
