package io.dynrag.vectorstore.hybrid;

import java.util.regex.Pattern;

/**
 * What a query looks like, for the fusion's keyword weight when the request names none. A query that
 * names something exactly (an identifier, a flag, an error code, a word or two) is what keyword search
 * is for: its terms are the document's own. A question in the user's own words shares few words with
 * the text that answers it, and the words it does share are common ones, so its keyword ranking is
 * weaker evidence and weighs less. Measured on both labelled sets of {@code ./dynrag bench retrieval}
 * (BENCHMARKS.md, Retrieval quality): keyword search alone loses 0.09 to 0.20 nDCG@10 to vector search
 * on worded questions and gains up to 0.05 on lookups.
 */
public enum QueryShape {

    /** Names something exactly: both rankings weigh the same. */
    LOOKUP(0.5),
    /** Asks in the user's own words: the keyword ranking weighs less. */
    WORDED(0.3);

    /**
     * A word written the way code, commands and messages are: with a character prose does not put inside
     * a word, a leading dash (a flag), a digit, a lower-case letter before an upper-case one (camel case),
     * or upper-case letters only ({@code SQLSTATE}).
     */
    private static final Pattern CODE = Pattern.compile("[._/:()\\[\\]{}=<>$@#%*\\\\]|^-|\\d|\\p{Ll}\\p{Lu}|^\\p{Lu}{2,}$");
    /** Punctuation that ends a word in prose and says nothing of its shape. */
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[.,;!?]+$");

    private final double keywordWeight;

    QueryShape(double keywordWeight) {
        this.keywordWeight = keywordWeight;
    }

    /** The keyword ranking's share of the fused score for a query of this shape. */
    public double keywordWeight() {
        return keywordWeight;
    }

    /**
     * A lookup when the query is one or two words, or has a word written as code and is short (three
     * words) or at least half code; otherwise a worded question.
     */
    public static QueryShape of(String query) {
        String[] words = query.strip().split("\\s+");
        int codeWords = 0;
        for (String word : words) {
            if (CODE.matcher(TRAILING_PUNCTUATION.matcher(word).replaceAll("")).find()) {
                codeWords++;
            }
        }
        boolean lookup = words.length <= 2 || codeWords > 0 && (words.length <= 3 || 2 * codeWords >= words.length);
        return lookup ? LOOKUP : WORDED;
    }
}
