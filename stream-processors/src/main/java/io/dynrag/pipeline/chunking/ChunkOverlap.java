package io.dynrag.pipeline.chunking;

import io.dynrag.pipeline.deadline.DocumentDeadline;
import io.dynrag.pipeline.embedding.TokenCounter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Repeats the end of each chunk at the start of the next, so a sentence cut by a chunk boundary
 * is still seen whole by one embedding. The repeated part is whole words from the end of the
 * previous chunk, at most {@code overlapTokens} word pieces. Offsets keep pointing at the chunk's
 * own text; the content hash covers the text with its overlap, so a chunk's stored vector is
 * reused only when both it and its predecessor are unchanged.
 */
public final class ChunkOverlap {

    private ChunkOverlap() {
    }

    public static List<Chunk> apply(List<Chunk> chunks, int overlapTokens, TokenCounter counter) {
        if (overlapTokens <= 0 || chunks.size() < 2) {
            return chunks;
        }
        List<Chunk> overlapped = new ArrayList<>(chunks.size());
        overlapped.add(chunks.getFirst());
        for (int i = 1; i < chunks.size(); i++) {
            DocumentDeadline.check();
            Chunk chunk = chunks.get(i);
            String tail = tail(chunks.get(i - 1).text(), overlapTokens, counter);
            if (tail.isEmpty()) {
                overlapped.add(chunk);
                continue;
            }
            String text = tail + "\n" + chunk.text();
            overlapped.add(new Chunk(chunk.index(), text, counter.count(text), StructuralChunker.sha256Hex(text),
                    chunk.charStart(), chunk.charEnd()));
        }
        return List.copyOf(overlapped);
    }

    /** The longest run of whole trailing words within the budget, found by binary search. */
    static String tail(String text, int maxTokens, TokenCounter counter) {
        String[] words = text.strip().split("\\s+");
        int low = 0;
        int high = words.length;
        while (low < high) {
            int mid = (low + high + 1) / 2;
            if (counter.count(join(words, mid)) <= maxTokens) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return join(words, low);
    }

    private static String join(String[] words, int lastN) {
        return String.join(" ", Arrays.copyOfRange(words, words.length - lastN, words.length));
    }
}
