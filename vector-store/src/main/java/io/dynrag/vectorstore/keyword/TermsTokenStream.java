package io.dynrag.vectorstore.keyword;

import java.util.Iterator;
import java.util.List;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * A text's {@link Terms} as Lucene indexes them, split once for the index and for the statistics
 * the index keeps. The parts of an identifier and the stem of a word stand at its position
 * (increment 0), so BM25's length normalisation counts an identifier or a word once however many
 * terms it gives.
 */
final class TermsTokenStream extends TokenStream {

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private final PositionIncrementAttribute position = addAttribute(PositionIncrementAttribute.class);
    private final List<Terms.Term> terms;
    private final int length;
    private Iterator<Terms.Term> next;
    private boolean first;

    TermsTokenStream(List<Terms.Term> terms, int length) {
        this.terms = terms;
        this.length = length;
    }

    @Override
    public void reset() {
        next = terms.iterator();
        first = true;
    }

    @Override
    public boolean incrementToken() {
        if (!next.hasNext()) {
            return false;
        }
        clearAttributes();
        Terms.Term current = next.next();
        term.append(current.text());
        offset.setOffset(current.start(), current.end());
        // A run too long to keep whole starts with a part, and a stream must start at a position.
        position.setPositionIncrement(current.kind() == Terms.Kind.WHOLE || first ? 1 : 0);
        first = false;
        return true;
    }

    @Override
    public void end() throws java.io.IOException {
        super.end();
        offset.setOffset(length, length);
    }
}
