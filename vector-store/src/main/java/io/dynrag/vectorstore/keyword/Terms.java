package io.dynrag.vectorstore.keyword;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.tartarus.snowball.SnowballStemmer;
import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * How text becomes search terms, the same for chunks, queries and highlights. Identifiers stay
 * whole and are also split: {@code --dry-run} gives {@code --dry-run}, {@code dry-run}, {@code dry}
 * and {@code run}; {@code os.path.join} gives itself, {@code os}, {@code path} and {@code join};
 * {@code pg_stat_activity} itself, {@code pg}, {@code stat}, {@code activity}; {@code getUserName}
 * itself, {@code get}, {@code user}, {@code name}; {@code 40P01} stays {@code 40p01}. So an exact
 * identifier matches its own whole term (and all its parts, ranking it first), and a part alone
 * still finds it. Terms are lower-cased.
 *
 * <p>A word of plain letters, on its own or as a part of an identifier, also gives its English stem
 * (Snowball's English stemmer) where that differs from it, at the same place: {@code indexes} and
 * {@code indexing} both give {@code index}, so any form of a word finds the others. Only words are
 * stemmed: an identifier's whole term ({@code max_connections}) and a run with digits stay as they
 * are, and a query weighs a stem at {@value #STEM_WEIGHT} of an exact term, so the form asked for
 * ranks first.
 */
public final class Terms {

    /** Longer runs are kept only as their parts: no one types them whole. */
    static final int MAX_WHOLE_LENGTH = 100;

    /**
     * Words too common to find anything with: articles, pronouns, auxiliary verbs and question words,
     * the words a question is phrased with. Left out of queries and highlights, kept in the index.
     * Words with a meaning of their own in technical text ({@code not}, {@code all}, {@code before},
     * {@code over}, {@code using}...) stay in queries.
     */
    private static final Set<String> STOP_WORDS = Set.of("a", "am", "an", "and", "are", "as", "at", "be", "been",
            "being", "but", "by", "can", "could", "did", "do", "does", "doing", "for", "from", "had", "has", "have",
            "having", "he", "her", "his", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "our",
            "she", "should", "so", "that", "the", "their", "them", "there", "these", "they", "this", "those", "to",
            "us", "very", "was", "we", "were", "what", "when", "where", "which", "who", "whom", "why", "will", "with",
            "would", "you", "your");

    /**
     * What a query's stem weighs against an exact term: a stem match is weaker evidence ({@code
     * indexing} for {@code indexes}), so a row with the form asked for ranks above one with another.
     */
    static final float STEM_WEIGHT = 0.5f;

    /** Stemmers keep state between calls: one per thread. */
    private static final ThreadLocal<SnowballStemmer> STEMMER = ThreadLocal.withInitial(EnglishStemmer::new);

    private Terms() {
    }

    /** What a term is of the run of text it comes from. */
    public enum Kind {
        /** The whole run: a word or a whole identifier. */
        WHOLE,
        /** A part of an identifier. */
        PART,
        /** The English stem of a word, whole or part, that differs from it. */
        STEM
    }

    /**
     * One term and where it stands in the text.
     *
     * @param start the offset of its first character (for a stem, of the word it is the stem of)
     * @param end   the offset after its last character
     */
    public record Term(String text, int start, int end, Kind kind) {
    }

    /** The terms of {@code text} in order; a whole term comes before its parts, a word before its stem. */
    public static List<Term> of(String text) {
        List<Term> terms = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            if (!isRunChar(text.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < text.length() && isRunChar(text.charAt(end))) {
                end++;
            }
            addRun(text, i, end, terms);
            i = end;
        }
        return terms;
    }

    /**
     * The distinct terms of a query in their order, each with its weight: 1 for a whole term or a part,
     * {@value #STEM_WEIGHT} for a stem (1 when the query also has it as a word). Stop words, and their
     * stems, are left out.
     */
    public static Map<String, Float> ofQuery(String query) {
        Map<String, Float> weights = new LinkedHashMap<>();
        for (Term term : of(query)) {
            // A stem stands where its word does: the word decides whether it is a stop word.
            if (!STOP_WORDS.contains(lower(query.substring(term.start(), term.end())))) {
                weights.merge(term.text(), term.kind() == Kind.STEM ? STEM_WEIGHT : 1f, Math::max);
            }
        }
        return weights;
    }

    private static void addRun(String text, int from, int to, List<Term> terms) {
        int start = from;
        int end = to;
        // Joiners at the end belong to the sentence ("see os.path.join."), not to the identifier.
        while (end > start && isJoiner(text.charAt(end - 1))) {
            end--;
        }
        // A flag keeps its leading dashes; other leading joiners (".env", "/etc") do not belong to it.
        int dashes = 0;
        while (start + dashes < end && text.charAt(start + dashes) == '-') {
            dashes++;
        }
        if (dashes > 2 || (dashes > 0 && (start > 0 && !Character.isWhitespace(text.charAt(start - 1))
                && "([{\"'`=".indexOf(text.charAt(start - 1)) < 0))) {
            start += dashes;
            dashes = 0;
        }
        while (dashes == 0 && start < end && isJoiner(text.charAt(start))) {
            start++;
        }
        if (start + dashes >= end) {
            return;
        }
        String run = text.substring(start, end);
        List<int[]> parts = parts(text, start + dashes, end);
        boolean split = parts.size() > 1 || dashes > 0;
        if (run.length() <= MAX_WHOLE_LENGTH) {
            terms.add(new Term(lower(run), start, end, Kind.WHOLE));
            if (!split) {
                addStem(lower(run), start, end, terms);
            }
            if (dashes > 0 && parts.size() > 1) {
                terms.add(new Term(lower(text.substring(start + dashes, end)), start + dashes, end, Kind.PART));
            }
        }
        if (split || run.length() > MAX_WHOLE_LENGTH) {
            for (int[] part : parts) {
                if (run.length() > MAX_WHOLE_LENGTH || part[0] != start || part[1] != end) {
                    String partText = lower(text.substring(part[0], part[1]));
                    terms.add(new Term(partText, part[0], part[1], Kind.PART));
                    addStem(partText, part[0], part[1], terms);
                }
            }
        }
    }

    /** The stem of {@code word}, if it is a word of plain letters whose stem differs from it. */
    private static void addStem(String word, int start, int end, List<Term> terms) {
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) < 'a' || word.charAt(i) > 'z') {
                return;
            }
        }
        SnowballStemmer stemmer = STEMMER.get();
        stemmer.setCurrent(word);
        stemmer.stem();
        String stem = stemmer.getCurrent();
        if (!stem.equals(word)) {
            terms.add(new Term(stem, start, end, Kind.STEM));
        }
    }

    /** The pieces between joiners, each split again where camel case starts a new word. */
    private static List<int[]> parts(String text, int from, int to) {
        List<int[]> parts = new ArrayList<>();
        int pieceStart = from;
        for (int i = from; i <= to; i++) {
            if (i == to || isJoiner(text.charAt(i))) {
                if (i > pieceStart) {
                    camelParts(text, pieceStart, i, parts);
                }
                pieceStart = i + 1;
            }
        }
        return parts;
    }

    private static void camelParts(String text, int from, int to, List<int[]> parts) {
        int start = from;
        for (int i = from + 1; i < to; i++) {
            char previous = text.charAt(i - 1);
            char current = text.charAt(i);
            boolean lowerToUpper = Character.isLowerCase(previous) && Character.isUpperCase(current);
            // "HTTPServer": the last capital of a run of capitals starts the next word.
            boolean acronymEnds = Character.isUpperCase(previous) && Character.isUpperCase(current)
                    && i + 1 < to && Character.isLowerCase(text.charAt(i + 1));
            if (lowerToUpper || acronymEnds) {
                parts.add(new int[] {start, i});
                start = i;
            }
        }
        parts.add(new int[] {start, to});
    }

    private static boolean isRunChar(char c) {
        return Character.isLetterOrDigit(c) || isJoiner(c);
    }

    /** Characters that join the parts of an identifier: snake_case, kebab-case, dotted and path names. */
    private static boolean isJoiner(char c) {
        return c == '_' || c == '-' || c == '.' || c == '/' || c == ':';
    }

    private static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
