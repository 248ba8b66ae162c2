package io.dynrag.vectorstore.hybrid;

import io.dynrag.domain.search.SearchOptions;
import io.dynrag.vectorstore.keyword.Highlights;
import io.dynrag.vectorstore.search.ChunkMatch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranks the candidates of a search and shapes the answer. Hybrid mode fuses the vector and keyword
 * rankings by reciprocal rank: a chunk at rank r (from 1) in a ranking earns weight / (60 + r) from
 * it, the keyword ranking weighing {@code keywordWeight} (when the request names none, as the query's
 * {@link QueryShape} says) and the vector ranking the rest, so neither side's raw scores (cosine,
 * BM25: not comparable) matter, only the order each gives.
 */
public final class RankFusion {

    /** The usual constant of reciprocal rank fusion: how much the first ranks count over later ones. */
    public static final int K = 60;

    private RankFusion() {
    }

    /**
     * The best {@code topK} hits, best first: ranked as {@code options.mode()} says, without those
     * scoring under {@code minScore}, at most {@code maxChunksPerDocument} of one document, each with
     * the highlights of {@code query}.
     *
     * @param vector  the vector side's candidates, best first (empty in keyword mode)
     * @param keyword the keyword side's candidates, best first (empty in vector mode)
     */
    public static List<RankedChunk> rank(String query, List<ChunkMatch> vector, List<ChunkMatch> keyword,
                                         SearchOptions options, int topK) {
        List<Candidate> ranked = switch (options.mode()) {
            case VECTOR -> vector.stream().map(match -> new Candidate(match, match.score(), match.score(), null))
                    .toList();
            case KEYWORD -> keyword.stream().map(match -> new Candidate(match, match.score(), null, match.score()))
                    .toList();
            case HYBRID -> fuse(vector, keyword,
                    options.keywordWeight().orElseGet(() -> QueryShape.of(query).keywordWeight()));
        };
        Map<String, Integer> perDocument = new HashMap<>();
        List<RankedChunk> hits = new ArrayList<>();
        for (Candidate candidate : ranked) {
            if (hits.size() == topK) {
                break;
            }
            if (options.minScore().isPresent() && candidate.score() < options.minScore().getAsDouble()) {
                continue;
            }
            int ofDocument = perDocument.merge(candidate.chunk().documentId(), 1, Integer::sum);
            if (options.maxChunksPerDocument().isPresent() && ofDocument > options.maxChunksPerDocument().getAsInt()) {
                continue;
            }
            hits.add(new RankedChunk(candidate.chunk(), candidate.score(), candidate.vectorScore(),
                    candidate.keywordScore(), Highlights.of(candidate.chunk().text(), query)));
        }
        return hits;
    }

    private static List<Candidate> fuse(List<ChunkMatch> vector, List<ChunkMatch> keyword, double keywordWeight) {
        Map<String, Candidate> fused = new LinkedHashMap<>();
        for (int rank = 1; rank <= vector.size(); rank++) {
            ChunkMatch match = vector.get(rank - 1);
            fused.put(key(match), new Candidate(match, (1 - keywordWeight) / (K + rank), match.score(), null));
        }
        for (int rank = 1; rank <= keyword.size(); rank++) {
            ChunkMatch match = keyword.get(rank - 1);
            double share = keywordWeight / (K + rank);
            fused.merge(key(match), new Candidate(match, share, null, match.score()),
                    (seen, again) -> new Candidate(seen.chunk(), seen.score() + share, seen.vectorScore(),
                            match.score()));
        }
        List<Candidate> ranked = new ArrayList<>(fused.values());
        ranked.sort(Comparator.comparingDouble(Candidate::score).reversed()
                .thenComparing(candidate -> candidate.chunk().documentId())
                .thenComparingInt(candidate -> candidate.chunk().chunkIndex()));
        return ranked;
    }

    /** Both sides search one dataset version, where a document's chunk index names one row. */
    private static String key(ChunkMatch match) {
        return match.documentId() + "#" + match.chunkIndex();
    }

    private record Candidate(ChunkMatch chunk, double score, Double vectorScore, Double keywordScore) {
    }
}
