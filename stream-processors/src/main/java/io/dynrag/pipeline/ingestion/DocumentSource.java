package io.dynrag.pipeline.ingestion;

/**
 * Where the pipeline finds the uploaded bytes of documents, by object key: it reads them to index a
 * version and deletes them once their document or customer is gone. {@link StoredObjects} is the
 * object store; tests use one in memory.
 */
public interface DocumentSource {

    /**
     * @param maxBytes the largest document read; a larger one is not read at all
     * @throws MissingObjectException      the object does not exist (retrying cannot help)
     * @throws DocumentTooLargeException   the object has more than {@code maxBytes}
     * @throws StorageUnavailableException the store could not be reached or failed (retrying may help)
     */
    byte[] read(String key, long maxBytes);

    /** Deletes every object whose key starts with {@code prefix}; returns how many there were. */
    int deletePrefix(String prefix);

    final class MissingObjectException extends RuntimeException {
        public MissingObjectException(String key) {
            super("the uploaded bytes are missing from the object store (" + key + ")");
        }
    }

    final class DocumentTooLargeException extends RuntimeException {
        public DocumentTooLargeException(long length, long maxBytes) {
            super("the document has " + length + " bytes, more than the pipeline's limit of " + maxBytes);
        }
    }

    final class StorageUnavailableException extends RuntimeException {
        public StorageUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
