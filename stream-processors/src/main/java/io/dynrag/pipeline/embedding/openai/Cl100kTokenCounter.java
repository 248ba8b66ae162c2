package io.dynrag.pipeline.embedding.openai;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import io.dynrag.pipeline.embedding.TokenCounter;

/**
 * Counts tokens with cl100k_base, the encoding of OpenAI's embedding models
 * (text-embedding-3-small, text-embedding-3-large, text-embedding-ada-002).
 *
 * <p>Special-token markers such as {@code <|endoftext|>} are counted as ordinary text, as the
 * embeddings endpoint treats them; that also counts them as several tokens rather than one, so a
 * text that fits by this count fits the provider's limit.
 */
public final class Cl100kTokenCounter implements TokenCounter {

    public static final Cl100kTokenCounter INSTANCE = new Cl100kTokenCounter();

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    private Cl100kTokenCounter() {
    }

    @Override
    public int count(String text) {
        return encoding.countTokensOrdinary(text);
    }
}
