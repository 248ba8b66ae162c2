package io.dynrag.vectorstore;

import java.net.URI;

/**
 * A writer in a process of its own for {@link ConcurrentObjectStoreWritesTest}: replaces documents
 * {@code <prefix>-0 .. <prefix>-(n-1)} of one tenant and prints each document's dataset version.
 *
 * <p>Arguments: endpoint, Lance root, tenant, document prefix, document count.
 */
public final class ObjectStoreWriterProcess {

    private ObjectStoreWriterProcess() {
    }

    public static void main(String[] args) {
        LanceLocation location = LanceLocation.s3(args[1], URI.create(args[0]), "us-east-1", "lance-test",
                "lance-test-secret");
        int documents = Integer.parseInt(args[4]);
        try (LanceChunkStore store = new LanceChunkStore(location)) {
            for (int d = 0; d < documents; d++) {
                String documentId = args[3] + "-" + d;
                long version = store.replaceDocument(args[2], ConcurrentObjectStoreWritesTest.MODEL, documentId,
                        ObjectStoreChunkStoreTest.rows(documentId, 1, 4, documentId));
                System.out.println("written " + documentId + " " + version);
                System.out.flush();
            }
        }
    }
}
