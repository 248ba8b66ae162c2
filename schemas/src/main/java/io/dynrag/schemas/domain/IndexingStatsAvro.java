package io.dynrag.schemas.domain;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.ingestion.IngestionSucceeded;

/**
 * The one translation between the domain's {@link IndexingStats} and the two Avro records that carry
 * them on the wire: {@link IngestionSucceeded} (the pipeline's result) and {@link DocumentVersionIndexed}
 * (the published document event). Both records have the record's fields under the same names; the
 * pipeline, the command side and the projections all go through here rather than through the Avro
 * getters and setters, so a new statistic is added in the record, the two schemas and this class.
 *
 * <p>Uses core-domain, which this module declares optional: a consumer of the topics that does not map
 * to the domain needs neither it nor Axon.
 */
public final class IndexingStatsAvro {

    private IndexingStatsAvro() {
    }

    public static IngestionSucceeded toSucceeded(IndexingStats stats) {
        return IngestionSucceeded.newBuilder()
                .setChunks(stats.chunks())
                .setTokens(stats.tokens())
                .setEmbeddedTokens(stats.embeddedTokens())
                .setReusedChunks(stats.reusedChunks())
                .setLanceVersion(stats.lanceVersion())
                .setModel(stats.model())
                .setStageMillis(stats.stageMillis())
                .setCharacters(stats.characters())
                .setPages(stats.pages())
                .setMeteredTokens(stats.meteredTokens())
                .setCostMicroUsd(stats.costMicroUsd())
                .build();
    }

    public static IndexingStats fromSucceeded(IngestionSucceeded succeeded) {
        return new IndexingStats(succeeded.getChunks(), succeeded.getTokens(), succeeded.getEmbeddedTokens(),
                succeeded.getReusedChunks(), succeeded.getLanceVersion(), succeeded.getModel(),
                succeeded.getStageMillis(), succeeded.getCharacters(), succeeded.getPages(),
                succeeded.getMeteredTokens(), succeeded.getCostMicroUsd());
    }

    /** @param version the document version the statistics are of */
    public static DocumentVersionIndexed toIndexedEvent(int version, IndexingStats stats) {
        return DocumentVersionIndexed.newBuilder()
                .setVersion(version)
                .setChunks(stats.chunks())
                .setTokens(stats.tokens())
                .setEmbeddedTokens(stats.embeddedTokens())
                .setReusedChunks(stats.reusedChunks())
                .setLanceVersion(stats.lanceVersion())
                .setModel(stats.model())
                .setStageMillis(stats.stageMillis())
                .setCharacters(stats.characters())
                .setPages(stats.pages())
                .setMeteredTokens(stats.meteredTokens())
                .setCostMicroUsd(stats.costMicroUsd())
                .build();
    }

    public static IndexingStats fromIndexedEvent(DocumentVersionIndexed indexed) {
        return new IndexingStats(indexed.getChunks(), indexed.getTokens(), indexed.getEmbeddedTokens(),
                indexed.getReusedChunks(), indexed.getLanceVersion(), indexed.getModel(), indexed.getStageMillis(),
                indexed.getCharacters(), indexed.getPages(), indexed.getMeteredTokens(), indexed.getCostMicroUsd());
    }
}
