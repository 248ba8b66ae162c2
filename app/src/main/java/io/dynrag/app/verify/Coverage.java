package io.dynrag.app.verify;

import java.util.HashSet;
import java.util.Set;

/** What a verification looked at, for its summary line. */
final class Coverage {

    private int documents;
    private int versions;
    private final Set<String> datasetVersions = new HashSet<>();
    private final Set<String> objects = new HashSet<>();

    void document(DocumentHistory history) {
        documents++;
        versions += history.versions().size();
    }

    void datasetVersion(String model, long version) {
        datasetVersions.add(model + "@" + version);
    }

    void object(String key) {
        objects.add(key);
    }

    int documents() {
        return documents;
    }

    int versions() {
        return versions;
    }

    int datasetVersions() {
        return datasetVersions.size();
    }

    int objects() {
        return objects.size();
    }
}
