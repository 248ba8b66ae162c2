package io.dynrag.vectorstore.keyword;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * {@link Terms} as a Lucene analyzer. The parts of an identifier stand at its position (increment
 * 0), so BM25's length normalisation counts an identifier once however many parts it has.
 */
final class TermsAnalyzer extends Analyzer {

    @Override
    protected TokenStreamComponents createComponents(String fieldName) {
        return new TokenStreamComponents(new TermsTokenizer());
    }

    private static final class TermsTokenizer extends Tokenizer {

        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
        private final PositionIncrementAttribute position = addAttribute(PositionIncrementAttribute.class);
        private Iterator<Terms.Term> terms = List.<Terms.Term>of().iterator();
        private int length;
        private boolean first;

        @Override
        public void reset() throws IOException {
            super.reset();
            // Chunks are small: the whole text is read, then split as Terms splits it.
            StringBuilder text = new StringBuilder();
            char[] buffer = new char[4096];
            for (int read = input.read(buffer); read != -1; read = input.read(buffer)) {
                text.append(buffer, 0, read);
            }
            length = text.length();
            terms = Terms.of(text.toString()).iterator();
            first = true;
        }

        @Override
        public boolean incrementToken() {
            if (!terms.hasNext()) {
                return false;
            }
            clearAttributes();
            Terms.Term next = terms.next();
            term.append(next.text());
            offset.setOffset(correctOffset(next.start()), correctOffset(next.end()));
            // A run too long to keep whole starts with a part, and a stream must start at a position.
            position.setPositionIncrement(next.whole() || first ? 1 : 0);
            first = false;
            return true;
        }

        @Override
        public void end() throws IOException {
            super.end();
            offset.setOffset(correctOffset(length), correctOffset(length));
        }
    }
}
