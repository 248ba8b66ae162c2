package io.dynrag.pipeline.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A BERT sentence encoder run locally with ONNX Runtime, from the model and tokenizer files a
 * LangChain4j model artifact ships (only the files are read, never LangChain4j's code). The
 * models differ only in what {@link Spec} says: their files, input limit, pooling and query
 * instruction.
 *
 * <p>Inputs are tokenized with the model's own WordPiece tokenizer, with truncation and padding
 * switched off, so a text longer than {@link #maxInputTokens()} word pieces is rejected instead of
 * being embedded in part. The vector is pooled from the last hidden states as the model was
 * trained ({@link Pooling}), then L2-normalised.
 *
 * <p>Throughput: texts are spread over a pool of sessions, as many as worker threads, each session
 * with one intra-op thread and one text at a time. On small machines this beats one session with
 * several threads, and padded batches cost more than they save. Each text is computed the same way
 * whatever the pool size or call pattern, so vectors are bit-identical across runs.
 *
 * <p>{@link #embed} may be called from any number of threads; {@link #close()} waits up to 30
 * seconds for running embeddings. Loading reads the model onto the heap once; every session then
 * holds its own native copy of the weights. ONNX Runtime unpacks its native library into
 * {@code java.io.tmpdir}; the tokenizer's native library goes to {@code $DJL_CACHE_DIR/tokenizers}
 * ({@code DJL_CACHE_DIR} is read from the environment, else from the system property of that
 * name, else {@code ~/.djl.ai} is used). The launcher points both at the data directory.
 */
public abstract sealed class OnnxEmbeddingModel implements EmbeddingModel
        permits MiniLmEmbeddingModel, BgeSmallEmbeddingModel {

    /** How the hidden states of all positions become one vector, as the model was trained. */
    enum Pooling {
        /** The mean over every position, [CLS] and [SEP] included (sentence-transformers' mean pooling). */
        MEAN,
        /** The hidden state of the first position, [CLS]. */
        CLS
    }

    /**
     * One local model.
     *
     * @param id                the model id, which names its datasets
     * @param modelResource     the ONNX file on the class path
     * @param tokenizerResource the tokenizer.json on the class path
     * @param artifact          the Maven artifact that ships both, named when they are missing
     * @param maxInputTokens    word pieces one text may have: the model's positions less [CLS] and [SEP]
     * @param queryInstruction  what the model was trained to see before a search query, empty for nothing
     */
    record Spec(String id, String modelResource, String tokenizerResource, String artifact, int dimensions,
                int maxInputTokens, Pooling pooling, String queryInstruction) {
    }

    private static final int SPECIAL_TOKENS = 2;

    private final OrtEnvironment environment;
    private final OrtSession.SessionOptions sessionOptions;
    private final List<OrtSession> sessions;
    private final BlockingQueue<OrtSession> idleSessions;
    private final ExecutorService workers;
    private final HuggingFaceTokenizer tokenizer;
    private final TokenCounter tokenCounter;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Spec spec;

    /**
     * @param sessions how many texts are embedded in parallel; each session uses one CPU core
     *     while it runs and holds its own copy of the model
     */
    OnnxEmbeddingModel(Spec spec, int sessions) {
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions must be at least 1, was " + sessions);
        }
        this.spec = spec;
        this.tokenizer = loadTokenizer(spec);
        this.tokenCounter = new WordPieceCounter(tokenizer);
        this.environment = OrtEnvironment.getEnvironment();
        List<OrtSession> created = new ArrayList<>(sessions);
        OrtSession.SessionOptions options = null;
        try {
            options = singleThreadedOptions();
            byte[] model = readResource(spec.modelResource(), spec.artifact());
            for (int i = 0; i < sessions; i++) {
                created.add(environment.createSession(model, options));
            }
        } catch (OrtException | RuntimeException e) {
            closeAll(created, options);
            tokenizer.close();
            throw new IllegalStateException("cannot load the " + spec.id() + " ONNX model", e);
        }
        this.sessionOptions = options;
        this.sessions = List.copyOf(created);
        this.idleSessions = new ArrayBlockingQueue<>(sessions, false, this.sessions);
        this.workers = Executors.newFixedThreadPool(sessions, workerThreads(spec.id()));
    }

    @Override
    public String id() {
        return spec.id();
    }

    @Override
    public int dimensions() {
        return spec.dimensions();
    }

    @Override
    public int maxInputTokens() {
        return spec.maxInputTokens();
    }

    @Override
    public String queryText(String query) {
        return spec.queryInstruction() + query;
    }

    @Override
    public TokenCounter tokenizer() {
        return tokenCounter;
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        if (texts.isEmpty()) {
            return List.of();
        }
        for (int i = 0; i < texts.size(); i++) {
            Objects.requireNonNull(texts.get(i), "text " + i);
        }
        // One call for all texts: the tokenizer encodes them in parallel, off the sessions' clock.
        Encoding[] encodings = tokenizer.batchEncode(texts, true, false);
        for (int i = 0; i < encodings.length; i++) {
            int wordPieces = encodings[i].getIds().length - SPECIAL_TOKENS;
            if (wordPieces > spec.maxInputTokens()) {
                throw new IllegalArgumentException("text " + i + " has " + wordPieces
                        + " word pieces; " + spec.id() + " accepts at most " + spec.maxInputTokens()
                        + " (split it into smaller chunks)");
            }
        }
        // Longest first, so no session is left with a long text when the others have finished.
        Integer[] order = new Integer[encodings.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> encodings[i].getIds().length).reversed());
        List<Future<float[]>> pending = new ArrayList<>(Collections.nCopies(encodings.length, null));
        for (int i : order) {
            Encoding encoding = encodings[i];
            pending.set(i, workers.submit(() -> embedOnIdleSession(encoding)));
        }
        List<float[]> vectors = new ArrayList<>(pending.size());
        try {
            for (Future<float[]> future : pending) {
                vectors.add(future.get());
            }
        } catch (InterruptedException e) {
            pending.forEach(future -> future.cancel(true));
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while embedding", e);
        } catch (ExecutionException e) {
            pending.forEach(future -> future.cancel(true));
            throw new IllegalStateException("embedding with " + spec.id() + " failed", e.getCause());
        }
        return vectors;
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        workers.shutdown();
        try {
            if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        closeAll(sessions, sessionOptions);
        tokenizer.close();
    }

    private static void closeAll(List<OrtSession> sessions, OrtSession.SessionOptions options) {
        for (OrtSession session : sessions) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("cannot close an ONNX session", e);
            }
        }
        if (options != null) {
            options.close();
        }
    }

    private float[] embedOnIdleSession(Encoding encoding) throws OrtException, InterruptedException {
        OrtSession session = idleSessions.take();
        try {
            return embed(session, encoding);
        } finally {
            idleSessions.add(session);
        }
    }

    private float[] embed(OrtSession session, Encoding encoding) throws OrtException {
        long[] ids = encoding.getIds();
        long[] attentionMask = encoding.getAttentionMask();
        try (OnnxTensor inputIds = OnnxTensor.createTensor(environment, new long[][] {ids});
                OnnxTensor mask = OnnxTensor.createTensor(environment, new long[][] {attentionMask});
                OnnxTensor typeIds = OnnxTensor.createTensor(environment, new long[][] {encoding.getTypeIds()});
                OrtSession.Result result = session.run(Map.of(
                        "input_ids", inputIds, "attention_mask", mask, "token_type_ids", typeIds))) {
            FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
            return normalise(switch (spec.pooling()) {
                case MEAN -> meanPool(hidden, attentionMask, spec.dimensions());
                case CLS -> firstPosition(hidden, spec.dimensions());
            });
        }
    }

    private static float[] firstPosition(FloatBuffer hiddenStates, int dimensions) {
        float[] first = new float[dimensions];
        hiddenStates.get(0, first);
        return first;
    }

    private static float[] meanPool(FloatBuffer hiddenStates, long[] attentionMask, int dimensions) {
        double[] sum = new double[dimensions];
        long counted = 0;
        for (int position = 0; position < attentionMask.length; position++) {
            if (attentionMask[position] == 0) {
                continue;
            }
            int offset = position * dimensions;
            for (int d = 0; d < dimensions; d++) {
                sum[d] += hiddenStates.get(offset + d);
            }
            counted++;
        }
        float[] mean = new float[dimensions];
        for (int d = 0; d < dimensions; d++) {
            mean[d] = (float) (sum[d] / counted);
        }
        return mean;
    }

    private static float[] normalise(float[] vector) {
        double squares = 0;
        for (float v : vector) {
            squares += (double) v * v;
        }
        double norm = Math.sqrt(squares);
        for (int d = 0; d < vector.length; d++) {
            vector[d] = (float) (vector[d] / norm);
        }
        return vector;
    }

    private static HuggingFaceTokenizer loadTokenizer(Spec spec) {
        try (InputStream json = openResource(spec.tokenizerResource(), spec.artifact())) {
            // A bundled tokenizer.json may truncate and pad (MiniLM's does, to 128); both must be off here.
            return HuggingFaceTokenizer.newInstance(json, Map.of(
                    "addSpecialTokens", "true",
                    "truncation", "false",
                    "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + spec.tokenizerResource(), e);
        }
    }

    private static OrtSession.SessionOptions singleThreadedOptions() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    private static byte[] readResource(String name, String artifact) {
        try (InputStream in = openResource(name, artifact)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    private static InputStream openResource(String name, String artifact) {
        InputStream in = OnnxEmbeddingModel.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path; it ships in " + artifact);
        }
        return in;
    }

    private static ThreadFactory workerThreads(String modelId) {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, modelId + "-embedding-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Counts word pieces with the model's tokenizer, without [CLS] and [SEP]. */
    private record WordPieceCounter(HuggingFaceTokenizer tokenizer) implements TokenCounter {

        @Override
        public int count(String text) {
            return tokenizer.encode(text, false, false).getIds().length;
        }

        @Override
        public int[] countAll(List<String> texts) {
            Encoding[] encodings = tokenizer.batchEncode(texts, false, false);
            int[] counts = new int[encodings.length];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = encodings[i].getIds().length;
            }
            return counts;
        }
    }
}
