package io.dynrag.bench;

import io.dynrag.app.corpus.BenchCorpus;
import io.dynrag.pipeline.embedding.BgeSmallEmbeddingModel;
import io.dynrag.pipeline.embedding.EmbeddingModel;
import io.dynrag.pipeline.embedding.MiniLmEmbeddingModel;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The ingest benchmark's comparison of the local embedding models on the pipeline's own chunks. */
final class LocalModelsBench {

    private LocalModelsBench() {
    }

    /**
     * Every other local model on the same chunks, one call each: its speed against MiniLM fp32's, and how far
     * each int8 variant's vectors are from its fp32 model's.
     */
    static void report(int sessions, IngestBench ingest, MiniLmEmbeddingModel miniLm,
                       List<BenchCorpus.Document> documents, PrintStream out) {
        MarkdownTable table = new MarkdownTable("run", "chunks", "word pieces embedded", "seconds",
                "embedded word pieces/s", "vs " + miniLm.id());
        List<String> agreements = new ArrayList<>();
        // MiniLM again, here: the models are compared back to back, none of them just after the system's own run.
        IngestBench.Run base = ingest.rawOther(miniLm, documents);
        try (MiniLmEmbeddingModel miniLmInt8 = new MiniLmEmbeddingModel(sessions, MiniLmEmbeddingModel.Weights.INT8)) {
            modelRow(table, base, base);
            modelRow(table, ingest.rawOther(miniLmInt8, documents), base);
            agreements.add(agreement(miniLm, miniLmInt8, ingest.agreement(miniLm, miniLmInt8, documents, 1_000)));
        }
        try (BgeSmallEmbeddingModel bge = new BgeSmallEmbeddingModel(sessions, BgeSmallEmbeddingModel.Weights.FP32);
             BgeSmallEmbeddingModel bgeInt8 = new BgeSmallEmbeddingModel(sessions,
                     BgeSmallEmbeddingModel.Weights.INT8)) {
            modelRow(table, ingest.rawOther(bge, documents), base);
            modelRow(table, ingest.rawOther(bgeInt8, documents), base);
            agreements.add(agreement(bge, bgeInt8, ingest.agreement(bge, bgeInt8, documents, 1_000)));
        }
        out.println("## Every local model on the same chunks");
        out.println();
        table.print(out);
        agreements.forEach(out::println);
        out.println();
    }

    private static void modelRow(MarkdownTable table, IngestBench.Run run, IngestBench.Run base) {
        table.row(run.name(), run.chunks(), run.wordPiecesEmbedded(), BenchCommand.seconds(run.took()),
                Math.round(run.embeddedPerSecond()),
                BenchCommand.ratio(run.embeddedPerSecond(), base.embeddedPerSecond()));
    }

    private static String agreement(EmbeddingModel fp32, EmbeddingModel int8, IngestBench.Agreement agreement) {
        return String.format(Locale.ROOT, "%s against %s over the first %,d chunks: mean cosine between the fp32 "
                + "and int8 vectors of a chunk %.4f; of each chunk's 10 nearest chunks by fp32, int8 ranks %.1f%% "
                + "among its 10 nearest (100 chunks asked).", int8.id(), fp32.id(), agreement.chunks(),
                agreement.meanCosine(), 100 * agreement.overlapAt10());
    }
}
