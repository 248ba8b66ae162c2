package io.dynrag.app.verify;

import java.util.List;
import java.util.Optional;

/** The uploaded bytes in the object store, as a verification reads them: never changed. */
public interface UploadedObjects {

    /** What an object holds: its size and the SHA-256 of its bytes (lowercase hex). */
    record StoredObject(long bytes, String sha256) {
    }

    /** Reads the object through once; empty if it does not exist. */
    Optional<StoredObject> find(String key);

    /** Keys of every object whose key starts with {@code prefix}. */
    List<String> keysUnder(String prefix);
}
