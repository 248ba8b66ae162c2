package io.dynrag.pipeline.ingestion;

/** Tells whoever watches how far indexing of a document version has come. Best effort. */
@FunctionalInterface
public interface ProgressReporter {

    /**
     * @param stage fetch, extract, chunk, embed or write
     */
    void report(IngestionJob job, String stage, int chunksEmbedded, int chunksTotal);

    ProgressReporter NONE = (job, stage, chunksEmbedded, chunksTotal) -> { };
}
