package io.dynrag.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dynrag.bench.retrieval.RetrievalCorpus;
import io.dynrag.bench.retrieval.RetrievalMetrics;
import io.dynrag.bench.retrieval.RetrievalSet;
import io.dynrag.vectorstore.hybrid.QueryShape;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Retrieval quality on a labelled set: the corpus's pages uploaded through the API and indexed by
 * the real pipeline, then every query sent to {@code POST /v1/search} once per search mode, ranked
 * at page level (see {@link RetrievalMetrics}).
 */
final class RetrievalBench {

    /** The first pages a query's ranking is judged on. */
    static final int K = 10;
    /**
     * Chunks asked for per query, the most search returns: several chunks of one page collapse into
     * one ranked page, so many more than {@link #K} are needed to rank {@link #K} pages.
     */
    static final int CHUNKS_ASKED = 100;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int UPLOAD_THREADS = 4;

    /**
     * A way of searching, as the request fields that select it.
     *
     * @param fields added to every search request
     */
    record Mode(String name, Map<String, Object> fields) {
    }

    static final List<Mode> MODES = List.of(
            new Mode("vector", Map.of("mode", "vector")),
            new Mode("keyword", Map.of("mode", "keyword")),
            new Mode("hybrid", Map.of("mode", "hybrid")),
            // One keyword share for every query, around the two the query's shape chooses by default (0.3 for
            // worded questions, 0.5 for lookups): the evidence for the default.
            new Mode("hybrid, keywordWeight 0.3", Map.of("mode", "hybrid", "keywordWeight", 0.3)),
            new Mode("hybrid, keywordWeight 0.4", Map.of("mode", "hybrid", "keywordWeight", 0.4)),
            new Mode("hybrid, keywordWeight 0.5", Map.of("mode", "hybrid", "keywordWeight", 0.5)),
            new Mode("hybrid, keywordWeight 0.6", Map.of("mode", "hybrid", "keywordWeight", 0.6)),
            new Mode("hybrid, reranked", Map.of("mode", "hybrid", "rerank", true)));

    /**
     * The outcome of one mode: measured, or why not.
     *
     * @param rankings each query's pages, best first
     * @param chunks   each query's chunks as the search answered them ({@code documentId#chunkIndex}), best first
     * @param scores   each of those chunks' score as the search answered it
     */
    record Outcome(Mode mode, String status, List<List<String>> rankings, List<List<String>> chunks,
                   List<List<Double>> scores, long[] micros) {

        boolean measured() {
            return rankings != null;
        }
    }

    private final BenchSystem system;
    private final RetrievalCorpus corpus;
    private final List<RetrievalSet.Query> queries;
    private final String model;
    private final Path cacheDirectory;

    /** @param model the embedding model the customer indexes and searches with */
    RetrievalBench(BenchSystem system, RetrievalCorpus corpus, List<RetrievalSet.Query> queries, String model,
                   Path cacheDirectory) {
        this.system = system;
        this.corpus = corpus;
        this.queries = queries;
        this.model = model;
        this.cacheDirectory = cacheDirectory;
    }

    /**
     * The benchmark as the options ask: the labelled set they name on a fresh system, its corpus downloaded once
     * into {@code cacheDirectory} and kept there; with filters, synthetic datasets instead.
     */
    static void benchmark(BenchCommand.Options options, Path cacheDirectory, PrintStream out) {
        if (options.filters()) {
            filters(options.seed(), options.chunks(), out);
            modes(options.seed(), options.chunks(), out);
            return;
        }
        String set = options.set().orElse(RetrievalCorpus.SETS.getFirst());
        try (BenchSystem system = BenchSystem.start()) {
            new RetrievalBench(system, RetrievalCorpus.of(set), RetrievalSet.of(set), options.model(),
                    cacheDirectory).run(out);
        }
    }

    /** {@code --filters}: filtered searches on a synthetic dataset of {@code chunks} rows ({@link SearchBench#filtered}). */
    static void filters(long seed, int chunks, PrintStream out) {
        StringBuilder notes = new StringBuilder();
        List<SearchBench.FilterResult> results = new SearchBench(seed).filtered(chunks, 200, notes);
        out.println("## Filtered search: " + chunks + " chunks of 384 dimensions in one tenant's dataset, "
                + "top 10 within a set of documents (what a metadata filter resolves to) holding the given share "
                + "of the rows");
        out.println();
        MarkdownTable table = new MarkdownTable("selectivity", "documents kept", "rows kept", "vector index, way", "queries", "p50 ms",
                "p99 ms", "recall@10 within the filter");
        for (SearchBench.FilterResult result : results) {
            table.row(String.format(Locale.ROOT, "%.1f%%", 100 * result.selectivity()), result.documents(), result.rows(),
                    result.way().equals("none") ? "none" : "IVF-PQ, " + result.way(), result.micros().length,
                    millis(Percentiles.of(result.micros(), 50)), millis(Percentiles.of(result.micros(), 99)),
                    String.format(Locale.ROOT, "%.3f", result.recall()));
        }
        table.print(out);
        out.println(notes.toString().strip() + " The store the search endpoint uses, called directly: the query's "
                + "embedding is not included.");
        out.println();
    }

    /** {@code --filters} too: latency per mode on a synthetic dataset of {@code chunks} rows ({@link SearchBench#modes}). */
    static void modes(long seed, int chunks, PrintStream out) {
        StringBuilder notes = new StringBuilder();
        List<SearchBench.Result> results = new SearchBench(seed).modes(chunks, 200, notes);
        out.println("## Search modes: " + chunks + " chunks of 384 dimensions and 150 words in one tenant's dataset, "
                + "top 10");
        out.println();
        MarkdownTable table = new MarkdownTable("mode", "queries", "p50 ms", "p99 ms");
        for (SearchBench.Result result : results) {
            table.row(result.name(), result.micros().length, millis(Percentiles.of(result.micros(), 50)),
                    millis(Percentiles.of(result.micros(), 99)));
        }
        table.print(out);
        out.println(notes.toString().strip() + " Texts draw words from a Zipf law over 30,000 synthetic words; "
                + "queries are 2 to 5 of them (not the 50 most frequent), each with a vector near a row. The store "
                + "and ranking the search endpoint uses, called directly, one search at a time after one "
                + "unmeasured pass: the query's embedding is not included.");
        out.println();
    }

    void run(PrintStream out) {
        Path pages = corpus.install(cacheDirectory);
        String apiKey = system.registerCustomer("Retrieval benchmark", model).apiKey();
        long started = System.nanoTime();
        Map<String, String> pageOfDocument = upload(pages, apiKey);
        long chunks = awaitIndexed(apiKey, pageOfDocument);
        Duration ingested = Duration.ofNanos(System.nanoTime() - started);

        List<Outcome> outcomes = new ArrayList<>();
        for (Mode mode : MODES) {
            outcomes.add(measure(mode, apiKey, pageOfDocument, List.copyOf(outcomes)));
        }
        long identifiers = queries.stream().filter(q -> q.kind() == RetrievalSet.Kind.IDENTIFIER).count();
        out.println("## Retrieval with " + model + ": " + queries.size() + " queries (" + (queries.size() - identifiers)
                + " questions, " + identifiers + " identifiers) on " + corpus.pages().size() + " pages of "
                + corpus.packageName() + " " + corpus.version() + ", " + chunks + " chunks, indexed in "
                + String.format(Locale.ROOT, "%.1f", ingested.toMillis() / 1000.0) + " s");
        out.println();
        MarkdownTable table = new MarkdownTable("mode", "nDCG@10", "recall@10", "MRR@10", "nDCG@10 questions",
                "nDCG@10 identifiers", "p50 ms", "p99 ms", "status");
        for (Outcome outcome : outcomes) {
            if (!outcome.measured()) {
                table.row(outcome.mode().name(), "", "", "", "", "", "", "", outcome.status());
                continue;
            }
            table.row(outcome.mode().name(), mean(outcome, null, Metric.NDCG), mean(outcome, null, Metric.RECALL),
                    mean(outcome, null, Metric.MRR), mean(outcome, RetrievalSet.Kind.QUESTION, Metric.NDCG),
                    mean(outcome, RetrievalSet.Kind.IDENTIFIER, Metric.NDCG),
                    millis(Percentiles.of(outcome.micros(), 50)), millis(Percentiles.of(outcome.micros(), 99)),
                    outcome.status());
        }
        table.print(out);
        printFusionConstants(outcomes, pageOfDocument, out);
        Path details = RankingFiles.write(cacheDirectory, corpus.set(), model, queries, outcomes, pageOfDocument);
        out.println("Each query asks for the best " + CHUNKS_ASKED + " chunks; chunks of a page already ranked are "
                + "dropped, so the ranking is of pages, each at its best chunk's rank, judged on the first " + K
                + ". Gain 2^grade - 1 (grade 2 answers the query, 1 is related); recall and MRR count grades 1 and "
                + "2 as relevant. Latency is the whole HTTP request on loopback, one at a time, the query's "
                + "embedding included, after one unmeasured pass over the queries. Each query's ranking: " + details);
        out.println();
    }

    /** Constants of reciprocal rank fusion compared, the search's own (60) among them. */
    private static final int[] FUSION_CONSTANTS = {5, 10, 20, 30, 60, 100};

    /**
     * Reciprocal rank fusion of the vector and keyword modes' answers (each the best 100 chunks, as many as a
     * hybrid search of 100 fuses), computed here with other constants than the search's 60 and its default weights:
     * whether the constant is a lever. The row for 60 must equal the hybrid mode's figures.
     */
    private void printFusionConstants(List<Outcome> outcomes, Map<String, String> pageOfDocument, PrintStream out) {
        Outcome vector = outcomes.get(0);
        Outcome keyword = outcomes.get(1);
        if (!vector.measured() || !keyword.measured()) {
            return;
        }
        out.println("Fusion constant, computed from the vector and keyword answers above (weights by the query's "
                + "shape, as the search's default):");
        out.println();
        MarkdownTable table = new MarkdownTable("constant", "nDCG@10", "recall@10", "MRR@10", "nDCG@10 questions",
                "nDCG@10 identifiers");
        for (int constant : FUSION_CONSTANTS) {
            List<List<String>> rankings = new ArrayList<>();
            for (int q = 0; q < queries.size(); q++) {
                Map<String, Double> fused = new HashMap<>();
                List<String> vectorChunks = vector.chunks().get(q);
                List<String> keywordChunks = keyword.chunks().get(q);
                double keywordWeight = QueryShape.of(queries.get(q).text()).keywordWeight();
                for (int rank = 1; rank <= vectorChunks.size(); rank++) {
                    fused.merge(vectorChunks.get(rank - 1), (1 - keywordWeight) / (constant + rank), Double::sum);
                }
                for (int rank = 1; rank <= keywordChunks.size(); rank++) {
                    fused.merge(keywordChunks.get(rank - 1), keywordWeight / (constant + rank), Double::sum);
                }
                List<String> pageOfEachChunk = fused.entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                                .thenComparing(Map.Entry.comparingByKey()))
                        .map(entry -> pageOfDocument.get(entry.getKey().substring(0, entry.getKey().indexOf('#'))))
                        .toList();
                rankings.add(RetrievalMetrics.pages(pageOfEachChunk));
            }
            Outcome fusedOutcome = new Outcome(vector.mode(), "computed", rankings, null, null, null);
            table.row(constant, mean(fusedOutcome, null, Metric.NDCG), mean(fusedOutcome, null, Metric.RECALL),
                    mean(fusedOutcome, null, Metric.MRR), mean(fusedOutcome, RetrievalSet.Kind.QUESTION, Metric.NDCG),
                    mean(fusedOutcome, RetrievalSet.Kind.IDENTIFIER, Metric.NDCG));
        }
        table.print(out);
    }

    private Map<String, String> upload(Path pages, String apiKey) {
        BenchClient client = system.client();
        Map<String, String> pageOfDocument = new HashMap<>();
        ExecutorService uploaders = Executors.newFixedThreadPool(UPLOAD_THREADS);
        try {
            Map<String, Future<String>> uploads = new java.util.LinkedHashMap<>();
            for (String page : corpus.pages()) {
                byte[] html = Files.readAllBytes(pages.resolve(page));
                uploads.put(page, uploaders.submit(() -> client.upload("/v1/documents", apiKey, page, html)
                        .expect(202).json().get("documentId").asText()));
            }
            for (Map.Entry<String, Future<String>> upload : uploads.entrySet()) {
                pageOfDocument.put(upload.getValue().get(), upload.getKey());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a page of the corpus", e);
        } catch (Exception e) {
            throw new IllegalStateException("an upload failed", e);
        } finally {
            uploaders.shutdownNow();
        }
        return pageOfDocument;
    }

    /** @return the chunks of all pages, once all are indexed */
    private long awaitIndexed(String apiKey, Map<String, String> pageOfDocument) {
        BenchClient client = system.client();
        while (client.documentsWithStatus(apiKey, "INDEXED") < pageOfDocument.size()) {
            long failed = client.documentsWithStatus(apiKey, "FAILED");
            if (failed > 0) {
                throw new IllegalStateException(failed + " pages failed to index");
            }
            BenchSystem.sleep(Duration.ofMillis(250));
        }
        long chunks = 0;
        for (String id : pageOfDocument.keySet()) {
            chunks += client.get("/v1/documents/" + id, apiKey).expect(200).json().get("chunks").asLong();
        }
        return chunks;
    }

    /**
     * Every query in one mode, after an unmeasured pass. A mode the server refuses is reported as
     * unavailable; one whose rankings all equal an earlier mode's is reported as ignored. Vector
     * search without the {@code mode} field stands in for vector mode, the first, while the server
     * has no modes.
     */
    private Outcome measure(Mode mode, String apiKey, Map<String, String> pageOfDocument, List<Outcome> earlier) {
        Map<String, Object> fields = mode.fields();
        String status = "measured";
        BenchClient.Response probe = search(apiKey, queries.getFirst().text(), fields);
        if (probe.status() != 200) {
            if (!earlier.isEmpty()) {
                return new Outcome(mode, "unavailable: " + refusal(probe), null, null, null, null);
            }
            fields = Map.of();
            status = "sent without `mode`, today's only search (with it: " + refusal(probe) + ")";
        }
        for (RetrievalSet.Query query : queries) {
            search(apiKey, query.text(), fields).expect(200);
        }
        List<List<String>> rankings = new ArrayList<>();
        List<List<String>> chunks = new ArrayList<>();
        List<List<Double>> scores = new ArrayList<>();
        long[] micros = new long[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            long started = System.nanoTime();
            JsonNode results = search(apiKey, queries.get(i).text(), fields).expect(200).json().get("results");
            micros[i] = (System.nanoTime() - started) / 1_000;
            List<String> pageOfEachChunk = new ArrayList<>();
            List<String> chunkKeys = new ArrayList<>();
            List<Double> chunkScores = new ArrayList<>();
            results.forEach(hit -> {
                pageOfEachChunk.add(pageOfDocument.get(hit.get("documentId").asText()));
                chunkKeys.add(hit.get("documentId").asText() + "#" + hit.get("chunkIndex").asInt());
                chunkScores.add(hit.get("score").asDouble());
            });
            scores.add(chunkScores);
            rankings.add(RetrievalMetrics.pages(pageOfEachChunk));
            chunks.add(chunkKeys);
        }
        for (Outcome before : earlier) {
            if (before.measured() && rankings.equals(before.rankings())) {
                return new Outcome(mode, "unavailable: accepted but ignored (every ranking equals "
                        + before.mode().name() + "'s)", null, null, null, null);
            }
        }
        return new Outcome(mode, status, rankings, chunks, scores, micros);
    }

    private BenchClient.Response search(String apiKey, String query, Map<String, Object> fields) {
        ObjectNode body = JSON.createObjectNode();
        body.put("query", query);
        body.put("topK", CHUNKS_ASKED);
        fields.forEach((name, value) -> body.set(name, JSON.valueToTree(value)));
        return system.client().postJson("/v1/search", apiKey, body.toString());
    }

    private static String refusal(BenchClient.Response response) {
        String detail = response.body();
        try {
            JsonNode problem = JSON.readTree(response.body());
            if (problem.hasNonNull("detail")) {
                detail = problem.get("detail").asText();
            }
        } catch (IOException e) {
            // Not problem+json: the body as it came.
        }
        detail = detail.replace('|', '/').replace('\n', ' ');
        return response.status() + " " + (detail.length() > 80 ? detail.substring(0, 80) + "…" : detail);
    }

    private enum Metric {
        NDCG, RECALL, MRR
    }

    /** The metric's mean over the queries of one kind, or over all when {@code kind} is null. */
    private String mean(Outcome outcome, RetrievalSet.Kind kind, Metric metric) {
        double sum = 0;
        int count = 0;
        for (int i = 0; i < queries.size(); i++) {
            RetrievalSet.Query query = queries.get(i);
            if (kind != null && query.kind() != kind) {
                continue;
            }
            List<String> ranking = outcome.rankings().get(i);
            sum += switch (metric) {
                case NDCG -> RetrievalMetrics.ndcg(ranking, query.grades(), K);
                case RECALL -> RetrievalMetrics.recall(ranking, query.grades(), K);
                case MRR -> RetrievalMetrics.reciprocalRank(ranking, query.grades(), K);
            };
            count++;
        }
        return count == 0 ? "" : String.format(Locale.ROOT, "%.3f", sum / count);
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }
}
