package io.dynrag.pipeline.extraction;

/**
 * The document's text could not be extracted. The message is the reason, written for the owner
 * of the document (for example "the PDF is encrypted with a password").
 */
public final class ExtractionFailedException extends RuntimeException {

    private final boolean retryable;

    /** A problem of the content itself: trying again gives the same answer. */
    public ExtractionFailedException(String reason) {
        this(reason, false, null);
    }

    /** A problem of the content itself, found through a library's exception. */
    public ExtractionFailedException(String reason, Throwable cause) {
        this(reason, false, cause);
    }

    public ExtractionFailedException(String reason, boolean retryable, Throwable cause) {
        super(reason, cause);
        this.retryable = retryable;
    }

    /** Whether the same bytes might extract later; never for a problem of the content. */
    public boolean retryable() {
        return retryable;
    }
}
