package io.dynrag.bench.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labelled queries of one set of the retrieval benchmark ({@code retrieval/<set>/queries.jsonl}):
 * one JSON object a line, {@code {"id", "kind", "query", "relevant": [{"page", "section", "grade"}]}}.
 */
public final class RetrievalSet {

    /** How a query is asked: in the user's own words, or as the exact text of a name, flag or code. */
    public enum Kind {
        QUESTION, IDENTIFIER
    }

    /**
     * @param grades relevance by page file name: 2 answers the query, 1 is related
     */
    public record Query(String id, Kind kind, String text, Map<String, Integer> grades) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RetrievalSet() {
    }

    /** The queries of one of {@link RetrievalCorpus#SETS}. */
    public static List<Query> of(String set) {
        try (InputStream in = RetrievalCorpus.resource(set, "queries.jsonl")) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read retrieval/" + set + "/queries.jsonl", e);
        }
    }

    static List<Query> parse(String jsonLines) {
        List<Query> queries = new ArrayList<>();
        List<String> lines = jsonLines.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(line);
                Map<String, Integer> grades = new LinkedHashMap<>();
                for (JsonNode relevant : node.get("relevant")) {
                    grades.merge(relevant.get("page").asText(), relevant.get("grade").asInt(), Math::max);
                }
                queries.add(new Query(node.get("id").asText(),
                        Kind.valueOf(node.get("kind").asText().toUpperCase(java.util.Locale.ROOT)),
                        node.get("query").asText(), grades));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("queries.jsonl line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return queries;
    }
}
