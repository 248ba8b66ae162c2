package io.dynrag.bench;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Random;
import java.util.Set;

/**
 * A vocabulary of made-up words drawn by Zipf's law (exponent 1), as the words of real text are:
 * a few very frequent, most rare. Synthetic texts built from it give a keyword index realistic term
 * statistics without a corpus.
 */
final class ZipfWords {

    private final Random random;
    private final String[] words;
    /** The cumulative probabilities of ranks 1 to n. */
    private final double[] cumulative;

    ZipfWords(Random random, int size) {
        this.random = random;
        Set<String> vocabulary = new LinkedHashSet<>();
        while (vocabulary.size() < size) {
            StringBuilder word = new StringBuilder();
            int letters = 3 + random.nextInt(8);
            for (int l = 0; l < letters; l++) {
                word.append((char) ('a' + random.nextInt(26)));
            }
            vocabulary.add(word.toString());
        }
        this.words = vocabulary.toArray(String[]::new);
        this.cumulative = new double[size];
        double sum = 0;
        for (int rank = 1; rank <= size; rank++) {
            sum += 1.0 / rank;
            cumulative[rank - 1] = sum;
        }
        for (int i = 0; i < size; i++) {
            cumulative[i] /= sum;
        }
    }

    /** A word's rank (0 the most frequent), drawn by Zipf's law. */
    int draw() {
        int at = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(cumulative.length - 1, at < 0 ? -at - 1 : at);
    }

    String word(int rank) {
        return words[rank];
    }
}
