package io.dynrag.app.observability;

/**
 * The names of Dynamic RAG's own meters, each defined here once; docs/operations.md lists them as Prometheus
 * scrapes them (dots become underscores, a timer gains {@code _seconds}, a counter {@code _total}). Tags have
 * few values each: an outcome, a stage, a pool, a consumer group. Never a customer id or a document id: each
 * value makes a series of its own that Prometheus keeps, so a tag per tenant grows without bound with the
 * customers; per-customer figures are the usage read model's.
 */
final class Meters {

    /** Timer of uploads (a file, a new version, a batch) by {@link #OUTCOME}, from request to answer. */
    static final String UPLOADS = "dynrag.uploads";
    /** Timer of searches by {@link #OUTCOME}, from request to answer. */
    static final String SEARCHES = "dynrag.searches";
    /** Counter of document versions the pipeline finished, by {@link #OUTCOME}: indexed or failed. */
    static final String DOCUMENTS = "dynrag.documents";
    /** Timer from an upload's event to its version being indexed. */
    static final String UPLOAD_TO_INDEXED = "dynrag.upload.to.indexed";
    /** Timer of the pipeline's stages by {@link #STAGE}: fetch, extract, chunk, embed, write. */
    static final String INGESTION_STAGE = "dynrag.ingestion.stage";
    /** Counter of word pieces sent to an embedding model (those of reused vectors are not). */
    static final String EMBEDDED_WORD_PIECES = "dynrag.embedded.word.pieces";
    /** Counter of records sent to a dead-letter topic, by {@link #TOPIC}. */
    static final String DEAD_LETTERS = "dynrag.dead.letters";
    /** Gauge of records a consumer group has yet to read, over all its partitions, by {@link #GROUP}. */
    static final String CONSUMER_LAG = "dynrag.consumer.lag";

    static final String OUTCOME = "outcome";
    static final String STAGE = "stage";
    static final String TOPIC = "topic";
    static final String GROUP = "group";

    private Meters() {
    }
}
