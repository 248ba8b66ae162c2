package io.dynrag.app.verify;

import io.dynrag.app.verify.DocumentHistory.UploadedVersion;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentStatus;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class DocumentHistoryTest {

    @Test
    void foldsEveryVersionWithItsOutcome() {
        DocumentHistory history = DocumentHistory.replay("d1", List.of(
                uploaded(1), new DocumentIngestionStarted("d1", "c1", 1), indexed(1, 4, "m1"),
                uploaded(2), new DocumentVersionFailed("d1", "c1", 2, "no text", false),
                uploaded(3), new DocumentIngestionStarted("d1", "c1", 3),
                "an event of some other kind")).orElseThrow();

        assertThat(history.customerId()).isEqualTo("c1");
        assertThat(history.versions()).extracting(UploadedVersion::version, UploadedVersion::status).containsExactly(
                tuple(1, DocumentStatus.INDEXED),
                tuple(2, DocumentStatus.FAILED),
                tuple(3, DocumentStatus.PROCESSING));
        assertThat(history.latestIndexed()).map(UploadedVersion::version).hasValue(1);
        assertThat(history.latestIndexed().orElseThrow().indexed()).map(IndexingStats::lanceVersion).hasValue(4L);
        assertThat(history.versions().get(1).failureReason()).hasValue("no text");
        assertThat(history.inFlight()).extracting(UploadedVersion::version).containsExactly(3);
        assertThat(history.versions().getFirst().s3Key()).isEqualTo("tenants/c1/documents/d1/sha-1");
        assertThat(history.deleted()).isFalse();
        assertThat(history.removedFromIndexAt()).isEmpty();
        assertThat(history.events()).isEqualTo(8);
    }

    @Test
    void remembersDeletionAndTheRecordedRemovalVersionAndEveryModel() {
        DocumentHistory history = DocumentHistory.replay("d1", List.of(
                uploaded(1), indexed(1, 2, "m1"), uploaded(2), indexed(2, 3, "m2"), uploaded(3), indexed(3, 5, "m1"),
                new DocumentDeleted("d1", "c1", 3), new DocumentRemovedFromIndex("d1", "c1", 6))).orElseThrow();

        assertThat(history.deleted()).isTrue();
        assertThat(history.removedFromIndexAt()).hasValue(6);
        assertThat(history.indexedModels()).containsExactly("m1", "m2");
        assertThat(history.inFlight()).isEmpty();
    }

    @Test
    void eventsWithoutAnUploadAreNoDocument() {
        assertThat(DocumentHistory.replay("d1", List.of(new DocumentDeleted("d1", "c1", 1)))).isEmpty();
        assertThat(DocumentHistory.replay("d1", List.of())).isEmpty();
    }

    private static DocumentVersionUploaded uploaded(int version) {
        return new DocumentVersionUploaded("d1", "c1", version, "t", "text/plain",
                "tenants/c1/documents/d1/sha-" + version, "sha-" + version, 10L * version,
                IndexingSettings.PIPELINE_DEFAULTS);
    }

    private static DocumentVersionIndexed indexed(int version, long lanceVersion, String model) {
        return new DocumentVersionIndexed("d1", "c1", version,
                new IndexingStats(3, 10, 10, 0, lanceVersion, model, Map.of(), 100, 0, 10, 0));
    }
}
