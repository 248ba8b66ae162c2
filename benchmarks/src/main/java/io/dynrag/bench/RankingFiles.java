package io.dynrag.bench;

import io.dynrag.bench.retrieval.RetrievalCorpus;
import io.dynrag.bench.retrieval.RetrievalMetrics;
import io.dynrag.bench.retrieval.RetrievalSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import io.dynrag.domain.customer.CustomerConfiguration;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The retrieval benchmark's per-query files, beside the corpus: each query's first pages with their grades, to
 * see what failed ({@code retrieval-rankings[-set][-model].tsv}), and each query's chunks with their scores as
 * every mode answered them ({@code retrieval-answers[-set][-model].tsv}; the default set and model add nothing), to try another fusion or cut-off on the same
 * answers without indexing the corpus again.
 */
final class RankingFiles {

    private RankingFiles() {
    }

    /** @return the rankings file; the answers file is written beside it */
    static Path write(Path directory, String set, String model, List<RetrievalSet.Query> queries,
                      List<RetrievalBench.Outcome> outcomes, Map<String, String> pageOfDocument) {
        StringBuilder rankings = new StringBuilder("mode\tid\tkind\tnDCG@10\tRR@10\tquery\tfirst pages (grade)\n");
        StringBuilder answers = new StringBuilder("mode\tid\tkind\trank\tchunk\tpage\tgrade\tscore\tquery\n");
        for (RetrievalBench.Outcome outcome : outcomes) {
            if (!outcome.measured()) {
                continue;
            }
            for (int i = 0; i < queries.size(); i++) {
                RetrievalSet.Query query = queries.get(i);
                String kind = query.kind().name().toLowerCase(Locale.ROOT);
                List<String> ranking = outcome.rankings().get(i);
                rankings.append(outcome.mode().name()).append('\t').append(query.id()).append('\t').append(kind)
                        .append('\t').append(String.format(Locale.ROOT, "%.3f\t%.3f",
                                RetrievalMetrics.ndcg(ranking, query.grades(), RetrievalBench.K),
                                RetrievalMetrics.reciprocalRank(ranking, query.grades(), RetrievalBench.K)))
                        .append('\t').append(query.text()).append('\t');
                ranking.stream().limit(RetrievalBench.K).forEach(page -> rankings.append(page).append(" (")
                        .append(query.grades().getOrDefault(page, 0)).append(") "));
                rankings.append('\n');
                List<String> chunks = outcome.chunks().get(i);
                for (int rank = 0; rank < chunks.size(); rank++) {
                    String chunk = chunks.get(rank);
                    String page = pageOfDocument.get(chunk.substring(0, chunk.indexOf('#')));
                    answers.append(outcome.mode().name()).append('\t').append(query.id()).append('\t').append(kind)
                            .append('\t').append(rank + 1).append('\t').append(chunks.get(rank)).append('\t')
                            .append(page).append('\t').append(query.grades().getOrDefault(page, 0)).append('\t')
                            .append(outcome.scores().get(i).get(rank)).append('\t').append(query.text()).append('\n');
                }
            }
        }
        String suffix = (set.equals(RetrievalCorpus.SETS.getFirst()) ? "" : "-" + set)
                + (model.equals(CustomerConfiguration.LOCAL_MODEL) ? "" : "-" + model);
        write(directory.resolve("retrieval-answers" + suffix + ".tsv"), answers);
        return write(directory.resolve("retrieval-rankings" + suffix + ".tsv"), rankings);
    }

    private static Path write(Path file, CharSequence text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }
}
