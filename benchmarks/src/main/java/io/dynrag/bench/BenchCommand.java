package io.dynrag.bench;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.app.roles.Role;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code dynrag bench <benchmark>... [options]}: runs benchmarks against the real embedded servers
 * and prints their figures as Markdown tables. Benchmarks measure; they pass or fail nothing.
 */
public final class BenchCommand {

    /** The benchmarks, in the order {@code all} runs them: the process benchmark first, on an idle machine. */
    public enum Benchmark {
        STARTUP, INGEST, INCREMENTAL, SEARCHABLE, API, SEARCH, RETRIEVAL, STORAGE, HISTORY
    }

    /**
     * @param documents       corpus size for ingest and incremental
     * @param wordPieces      length of each corpus document in the model's word pieces
     * @param samples         single uploads timed by the searchable benchmark; rounds of rewrites of the history benchmark
     * @param rate            requests per second of the API benchmark
     * @param duration        how long the API benchmark sends and measures
     * @param warmUp          how long it sends before measuring
     * @param chunks          rows in the search benchmark's dataset, and in the retrieval benchmark's with filters
     * @param filters         the retrieval benchmark measures filtered searches, and each mode's latency, on synthetic
     *                        datasets instead of a labelled set
     * @param set             the labelled set the retrieval benchmark measures quality on without filters (empty: the first)
     * @param model           the local embedding model of the retrieval benchmark's customer
     */
    public record Options(Set<Benchmark> benchmarks, int documents, int wordPieces, int samples, int rate,
                          Duration duration, Duration warmUp, long seed, int chunks, boolean filters, Optional<String> set,
                          String model) {
    }

    private static final long DEFAULT_SEED = 20261126L;

    private BenchCommand() {
    }

    public static Options parse(String[] args) {
        Set<Benchmark> benchmarks = EnumSet.noneOf(Benchmark.class);
        int documents = 200;
        int wordPieces = 3_000;
        int samples = 30;
        int rate = 200;
        int seconds = 60;
        int warmUpSeconds = 10;
        long seed = DEFAULT_SEED;
        int chunks = 100_000;
        boolean filters = false;
        Optional<String> set = Optional.empty();
        String model = CustomerConfiguration.LOCAL_MODEL;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--filters")) {
                filters = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                if (arg.equals("all")) {
                    benchmarks.addAll(EnumSet.allOf(Benchmark.class));
                } else {
                    try {
                        benchmarks.add(Benchmark.valueOf(arg.toUpperCase(Locale.ROOT)));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidSettingException("unknown benchmark '" + arg + "'; choose from "
                                + names() + " or all");
                    }
                }
                continue;
            }
            if (i + 1 >= args.length) {
                throw new InvalidSettingException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--documents" -> documents = positive(arg, value, 100_000);
                case "--word-pieces" -> wordPieces = positive(arg, value, 1_000_000);
                case "--samples" -> samples = positive(arg, value, 10_000);
                case "--rate" -> rate = positive(arg, value, 100_000);
                case "--seconds" -> seconds = positive(arg, value, 86_400);
                case "--warmup" -> warmUpSeconds = positive(arg, value, 86_400);
                case "--seed" -> seed = positive(arg, value, Integer.MAX_VALUE);
                case "--chunks" -> chunks = positive(arg, value, 10_000_000);
                case "--set" -> set = Optional.of(io.dynrag.bench.retrieval.RetrievalCorpus.named(value));
                case "--model" -> model = localModel(value);
                default -> throw new InvalidSettingException("unknown option " + arg);
            }
        }
        if (benchmarks.isEmpty()) {
            throw new InvalidSettingException("name the benchmarks to run: " + names() + " or all");
        }
        if (filters && set.isPresent()) {
            throw new InvalidSettingException("--set chooses a labelled set, --filters synthetic datasets: give one");
        }
        return new Options(benchmarks, documents, wordPieces, samples, rate, Duration.ofSeconds(seconds),
                Duration.ofSeconds(warmUpSeconds), seed, chunks, filters, set, model);
    }

    /** The benchmarks register customers without a provider key, so only models run here can be measured. */
    private static String localModel(String value) {
        if (!CustomerConfiguration.LOCAL_MODELS.contains(value)) {
            throw new InvalidSettingException("--model must be a local embedding model, one of "
                    + new java.util.TreeSet<>(CustomerConfiguration.LOCAL_MODELS) + ", was '" + value + "'");
        }
        return value;
    }

    public static int run(Settings settings, Options options, PrintStream out) {
        printMachine(settings, out);
        if (options.benchmarks().contains(Benchmark.STARTUP)) {
            startup(options, out);
        }
        Set<Benchmark> inOneSystem = EnumSet.of(Benchmark.INGEST, Benchmark.INCREMENTAL, Benchmark.SEARCHABLE);
        inOneSystem.retainAll(options.benchmarks());
        if (!inOneSystem.isEmpty()) {
            ingestion(settings, options, inOneSystem, out);
        }
        if (options.benchmarks().contains(Benchmark.SEARCH)) {
            search(options, out);
        }
        if (options.benchmarks().contains(Benchmark.API)) {
            api(options, out);
        }
        if (options.benchmarks().contains(Benchmark.RETRIEVAL)) {
            RetrievalBench.benchmark(options, settings.dataDir().resolve("bench-corpus"), out);
        }
        if (options.benchmarks().contains(Benchmark.STORAGE)) {
            LanceStorageBench.benchmark(options, out);
        }
        if (options.benchmarks().contains(Benchmark.HISTORY)) {
            HistoryBench.benchmark(options, out);
        }
        return 0;
    }

    private static void ingestion(Settings settings, Options options, Set<Benchmark> benchmarks, PrintStream out) {
        try (MiniLmEmbeddingModel model = new MiniLmEmbeddingModel(settings.embeddingThreads());
             BenchSystem system = BenchSystem.start()) {
            BenchCorpus corpus = new BenchCorpus(options.seed(), text -> model.tokenizer().count(text));
            IngestBench ingest = new IngestBench(system, model, settings.maxChunkTokens());
            if (benchmarks.contains(Benchmark.INGEST) || benchmarks.contains(Benchmark.INCREMENTAL)) {
                List<BenchCorpus.Document> documents = corpus.documents(options.documents(), options.wordPieces());
                IngestBench.Ingested first = ingest.endToEnd(documents);
                IngestBench.Run raw = ingest.raw(documents, false);
                IngestBench.Run rawPerDocument = ingest.raw(documents, true);
                IngestBench.Run theirs = ingest.langChain4j("LangChain4j EmbeddingStoreIngestor, in-memory store",
                        documents);
                if (benchmarks.contains(Benchmark.INGEST)) {
                    printIngest(options, documents, raw, rawPerDocument, first, theirs, out);
                    LocalModelsBench.report(settings.embeddingThreads(), ingest, model, documents, out);
                }
                if (benchmarks.contains(Benchmark.INCREMENTAL)) {
                    incremental(system, corpus, ingest, first, theirs, options, out);
                }
            }
            if (benchmarks.contains(Benchmark.SEARCHABLE)) {
                SearchableBench.report(system, new BenchCorpus(options.seed() + 1,
                        text -> model.tokenizer().count(text)), options, out);
            }
        }
    }

    private static void printIngest(Options options, List<BenchCorpus.Document> documents, IngestBench.Run raw,
                                    IngestBench.Run rawPerDocument, IngestBench.Ingested first,
                                    IngestBench.Run theirs, PrintStream out) {
        IngestBench.Run endToEnd = first.endToEnd();
        out.println("## Ingest: " + documents.size() + " documents of about " + options.wordPieces()
                + " word pieces (" + raw.wordPiecesIn() / documents.size() + " in chunks on average)");
        out.println();
        MarkdownTable table = new MarkdownTable("run", "chunks", "word pieces in", "word pieces embedded",
                "seconds", "embedded word pieces/s", "vs raw");
        for (IngestBench.Run run : List.of(raw, rawPerDocument, endToEnd, theirs)) {
            table.row(run.name(), run.chunks(), run.wordPiecesIn(), run.wordPiecesEmbedded(), seconds(run.took()),
                    Math.round(run.embeddedPerSecond()), ratio(run.embeddedPerSecond(), raw.embeddedPerSecond()));
        }
        table.print(out);
        out.println("End to end vs LangChain4j (embedded word pieces per second): "
                + ratio(endToEnd.embeddedPerSecond(), theirs.embeddedPerSecond()));
        out.println();
        out.println("Pipeline time per document by stage (ms, mean):");
        out.println();
        MarkdownTable stages = new MarkdownTable(first.stageMillis().keySet().toArray(String[]::new));
        stages.row(first.stageMillis().values().stream()
                .map(total -> String.format(Locale.ROOT, "%.1f", (double) total / documents.size())).toArray());
        stages.print(out);
    }

    private static void incremental(BenchSystem system, BenchCorpus corpus, IngestBench ingest,
                                    IngestBench.Ingested first, IngestBench.Run theirsFirst, Options options,
                                    PrintStream out) {
        IncrementalBench bench = new IncrementalBench(system, corpus);
        Map<Integer, BenchCorpus.Document> edited = bench.edit(first.documents(), options.seed() + 2);
        IncrementalBench.Result ours = bench.dynamicRag(first, edited);
        IngestBench.Run theirs = ingest.langChain4j("LangChain4j, changed documents ingested again",
                new ArrayList<>(edited.values()));
        out.println("## Incremental: " + ours.paragraphsEdited() + " of " + ours.paragraphsTotal()
                + " paragraphs rewritten (" + percent(ours.paragraphsEdited(), ours.paragraphsTotal()) + "), in "
                + ours.documentsChanged() + " of " + first.documents().size() + " documents; then every document "
                + "uploaded as a new version");
        out.println();
        IngestBench.Run firstOurs = first.endToEnd();
        new MarkdownTable("run", "chunks embedded", "word pieces embedded", "seconds",
                "embedding work vs first ingest", "time vs first ingest")
                .row(ours.run().name(), ours.run().chunks(), ours.run().wordPiecesEmbedded(),
                        seconds(ours.run().took()),
                        percent(ours.run().wordPiecesEmbedded(), firstOurs.wordPiecesEmbedded()),
                        percent(ours.run().took().toNanos(), firstOurs.took().toNanos()))
                .row(theirs.name(), theirs.chunks(), theirs.wordPiecesEmbedded(), seconds(theirs.took()),
                        percent(theirs.wordPiecesEmbedded(), theirsFirst.wordPiecesEmbedded()),
                        percent(theirs.took().toNanos(), theirsFirst.took().toNanos()))
                .print(out);
    }

    /**
     * Once with the command API and the projections alone, as they are deployed apart from the
     * pipeline, and once with every role sharing the machine; the pipeline's work on the uploads
     * competes for the same cores in the second.
     */
    private static void api(Options options, PrintStream out) {
        out.println("## Command API: small uploads at " + options.rate() + " requests/s for "
                + options.duration().toSeconds() + " s after " + options.warmUp().toSeconds()
                + " s of warm-up, open loop on loopback");
        out.println();
        MarkdownTable table = new MarkdownTable("roles running", "sent", "accepted (202)", "errors",
                "of which 503 (retry)", "warm-up errors", "p50 ms", "p99 ms", "max ms", "event store", "topic",
                "projection", "stores agree after");
        List<String> configurations = new ArrayList<>();
        List<ApiLoadBench.Result> results = new ArrayList<>();
        for (Set<Role> roles : List.of(EnumSet.of(Role.API, Role.PROJECTIONS), EnumSet.allOf(Role.class))) {
            ApiLoadBench.Result result;
            try (BenchSystem system = BenchSystem.start(roles)) {
                result = new ApiLoadBench(system).run(options.rate(), options.warmUp(), options.duration());
            }
            String configuration = roles.stream().map(Role::cliName).collect(Collectors.joining(" + "));
            configurations.add(configuration);
            results.add(result);
            table.row(configuration, result.sent(), result.accepted(), result.errors(), result.busy(),
                    result.warmUpErrors(), millis(result.percentileMicros(50)), millis(result.percentileMicros(99)),
                    millis(result.percentileMicros(100)), result.counts().eventStore(), result.counts().topic(),
                    result.counts().projection(),
                    result.storesAgree() ? seconds(result.caughtUpAfter()) + " s"
                            : "not within " + seconds(result.caughtUpAfter()) + " s");
        }
        table.print(out);
        out.println("CPU per request sent in the measured period, ms (2 cores give "
                + String.format(Locale.ROOT, "%.1f", 2_000.0 / options.rate()) + " ms per request at this rate):");
        out.println();
        List<String> header = new ArrayList<>(List.of("part"));
        header.addAll(configurations);
        MarkdownTable cpu = new MarkdownTable(header.toArray(String[]::new));
        for (String part : results.getFirst().cpuMillis().keySet()) {
            List<Object> row = new ArrayList<>(List.of(part));
            results.forEach(result -> row.add(String.format(Locale.ROOT, "%.2f",
                    result.cpuMillis().getOrDefault(part, 0.0) / result.sent())));
            cpu.row(row.toArray());
        }
        List<Object> total = new ArrayList<>(List.of("total"));
        results.forEach(result -> total.add(String.format(Locale.ROOT, "%.2f",
                result.cpuMillis().values().stream().mapToDouble(Double::doubleValue).sum() / result.sent())));
        cpu.row(total.toArray());
        cpu.print(out);
    }

    private static void search(Options options, PrintStream out) {
        StringBuilder notes = new StringBuilder();
        List<SearchBench.Result> results = new SearchBench(options.seed()).run(options.chunks(), 200, notes);
        out.println("## Search: " + options.chunks() + " chunks of 384 dimensions in one tenant's dataset, top 10");
        out.println();
        MarkdownTable table = new MarkdownTable("search", "queries", "p50 ms", "p99 ms", "recall@10");
        for (SearchBench.Result result : results) {
            table.row(result.name(), result.micros().length, millis(Percentiles.of(result.micros(), 50)),
                    millis(Percentiles.of(result.micros(), 99)),
                    Double.isNaN(result.recall()) ? "" : String.format(Locale.ROOT, "%.3f", result.recall()));
        }
        table.print(out);
        out.println(notes.toString().strip());
        out.println();
    }

    private static void startup(Options options, PrintStream out) {
        Optional<java.nio.file.Path> launcher = StartupBench.launcher();
        out.println("## Start-up and memory: ./dynrag dev in its own process");
        out.println();
        if (launcher.isEmpty()) {
            out.println("Skipped: run the benchmarks with ./dynrag bench from a build of the repository.");
            out.println();
            return;
        }
        // A corpus of its own: this process's model is not loaded for it.
        BenchCorpus corpus = new BenchCorpus(options.seed() + 3, text -> text.split("\\s+").length * 13 / 10);
        StartupBench.Result result = new StartupBench().run(launcher.get(), corpus.documents(20,
                options.wordPieces()));
        new MarkdownTable("cold start s", "warm start s", "JVM MiB at rest", "JVM MiB peak indexing",
                "JVM MiB after indexing", "PostgreSQL MiB after indexing")
                .row(seconds(result.coldStart()), seconds(result.warmStart()), result.afterStart().jvmMib(),
                        result.peakWhileIndexing().jvmMib(), result.afterIndexing().jvmMib(),
                        result.afterIndexing().databaseMib())
                .print(out);
    }

    private static void printMachine(Settings settings, PrintStream out) {
        Runtime runtime = Runtime.getRuntime();
        out.println("# Dynamic RAG benchmarks, " + Instant.now());
        out.println();
        out.println("Machine: " + runtime.availableProcessors() + " cores, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", Java " + Runtime.version() + ", max heap "
                + runtime.maxMemory() / (1024 * 1024) + " MiB; embedding threads " + settings.embeddingThreads()
                + ", stream threads " + settings.streamThreads() + ", chunk size " + settings.maxChunkTokens()
                + " word pieces; JVM flags " + ManagementFactory.getRuntimeMXBean().getInputArguments());
        out.println();
    }

    private static String names() {
        return EnumSet.allOf(Benchmark.class).stream().map(b -> b.name().toLowerCase(Locale.ROOT)).toList().toString();
    }

    private static int positive(String option, String value, int max) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= 1 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // Answered below.
        }
        throw new InvalidSettingException(option + " must be a whole number from 1 to " + max + ", was '" + value
                + "'");
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    static String ratio(double value, double base) {
        return String.format(Locale.ROOT, "%.2f x", value / base);
    }

    private static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
