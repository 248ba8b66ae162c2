package io.dynrag.vectorstore.keyword;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How text becomes search terms, the same for chunks, queries and highlights. Identifiers stay
 * whole and are also split: {@code --dry-run} gives {@code --dry-run}, {@code dry-run}, {@code dry}
 * and {@code run}; {@code os.path.join} gives itself, {@code os}, {@code path} and {@code join};
 * {@code pg_stat_activity} itself, {@code pg}, {@code stat}, {@code activity}; {@code getUserName}
 * itself, {@code get}, {@code user}, {@code name}; {@code 40P01} stays {@code 40p01}. So an exact
 * identifier matches its own whole term (and all its parts, ranking it first), and a part alone
 * still finds it. Terms are lower-cased; nothing is stemmed.
 */
public final class Terms {

    /** Longer runs are kept only as their parts: no one types them whole. */
    static final int MAX_WHOLE_LENGTH = 100;

    /** Words too common to find anything with; left out of queries and highlights, kept in the index. */
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "are", "as", "at", "be", "by", "do",
            "does", "for", "from", "how", "i", "in", "is", "it", "of", "on", "or", "the", "there", "this", "to",
            "was", "what", "when", "where", "which", "who", "why", "with");

    private Terms() {
    }

    /**
     * One term and where it stands in the text.
     *
     * @param start the offset of its first character
     * @param end   the offset after its last character
     * @param whole whether it is a whole run of the text rather than one of its parts
     */
    public record Term(String text, int start, int end, boolean whole) {
    }

    /** The terms of {@code text} in order; a whole term comes before its parts. */
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

    /** The distinct terms of a query, without stop words, in their order. */
    public static Set<String> ofQuery(String query) {
        Set<String> distinct = new LinkedHashSet<>();
        for (Term term : of(query)) {
            if (!STOP_WORDS.contains(term.text())) {
                distinct.add(term.text());
            }
        }
        return distinct;
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
            terms.add(new Term(lower(run), start, end, true));
            if (dashes > 0 && parts.size() > 1) {
                terms.add(new Term(lower(text.substring(start + dashes, end)), start + dashes, end, false));
            }
        }
        if (split || run.length() > MAX_WHOLE_LENGTH) {
            for (int[] part : parts) {
                if (run.length() > MAX_WHOLE_LENGTH || part[0] != start || part[1] != end) {
                    terms.add(new Term(lower(text.substring(part[0], part[1])), part[0], part[1], false));
                }
            }
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
