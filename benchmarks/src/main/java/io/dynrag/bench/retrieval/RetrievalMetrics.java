package io.dynrag.bench.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Ranking quality at document level: search returns chunks, a query's labels name pages, so a
 * ranking of chunks becomes the ranking of the pages they came from, each page at the rank of its
 * best chunk. A page counts as relevant with grade 1 or 2.
 */
public final class RetrievalMetrics {

    private RetrievalMetrics() {
    }

    /** The pages of a ranking of chunks, in order, each once: later chunks of a page already ranked are dropped. */
    public static List<String> pages(List<String> pageOfEachChunk) {
        return new ArrayList<>(new LinkedHashSet<>(pageOfEachChunk));
    }

    /**
     * Normalised discounted cumulative gain at {@code k} with graded gain {@code 2^grade - 1} and
     * discount {@code log2(rank + 1)}, divided by the same sum over the labels in their ideal order.
     */
    public static double ndcg(List<String> ranking, Map<String, Integer> grades, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            dcg += gain(grades.getOrDefault(ranking.get(i), 0)) / log2(i + 2);
        }
        List<Integer> ideal = grades.values().stream().sorted(Comparator.reverseOrder()).toList();
        double idealDcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idealDcg += gain(ideal.get(i)) / log2(i + 2);
        }
        return idealDcg == 0 ? 0 : dcg / idealDcg;
    }

    /** The share of the relevant pages found among the first {@code k}. */
    public static double recall(List<String> ranking, Map<String, Integer> grades, int k) {
        long relevant = grades.values().stream().filter(grade -> grade > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(page -> grades.getOrDefault(page, 0) > 0).count();
        return (double) found / relevant;
    }

    /** One over the rank of the first relevant page among the first {@code k}; 0 when none is. */
    public static double reciprocalRank(List<String> ranking, Map<String, Integer> grades, int k) {
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            if (grades.getOrDefault(ranking.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    private static double gain(int grade) {
        return Math.pow(2, grade) - 1;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
