package io.dynrag.pipeline.chunking;

import java.util.Objects;

/**
 * A piece of a document small enough to embed.
 *
 * @param index position of the chunk in its document, from 0
 * @param text the chunk's text, line endings normalised to {@code \n}
 * @param tokenCount tokens in {@code text} as counted by the embedding model's tokenizer
 * @param contentHash lowercase hex SHA-256 of {@code text} in UTF-8; equal hashes mean the stored
 *     vector can be reused
 * @param charStart offset in the source text (as given, before normalisation) of the first
 *     character of the chunk
 * @param charEnd offset in the source text just after the last character of the chunk
 */
public record Chunk(int index, String text, int tokenCount, String contentHash, int charStart, int charEnd) {

    public Chunk {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(contentHash, "contentHash");
        if (index < 0 || tokenCount < 0 || charStart < 0 || charEnd < charStart) {
            throw new IllegalArgumentException("invalid chunk " + index + " [" + charStart + ", " + charEnd
                    + ") with " + tokenCount + " tokens");
        }
    }
}
