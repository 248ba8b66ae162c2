package io.dynrag.app.observability;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.ingestion.IngestionOutcome;
import io.dynrag.platform.http.RequestObserver;
import io.dynrag.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the API's requests and the pipeline's outcomes record, by the meters' names and tags. */
class RoleMetersTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void uploadsAndSearchesAreTimedByOutcomeOtherRequestsNot() {
        RequestMeters requests = new RequestMeters(registry);

        requests.answered("POST /v1/documents", 202, Duration.ofMillis(40));
        requests.answered("POST /v1/documents/{documentId}/versions", 413, Duration.ofMillis(5));
        requests.answered("POST /v1/documents/batch", 503, Duration.ofMillis(7));
        requests.answered("POST /v1/search", 200, Duration.ofMillis(12));
        requests.answered("POST /v1/search", 400, Duration.ofMillis(1));
        requests.answered("GET /v1/documents/{documentId}", 200, Duration.ofMillis(3));
        // An agent's calls count as what they do; the HTTP request carrying them does not count again.
        requests.answered(RequestObserver.toolCall("search"), 200, Duration.ofMillis(9));
        requests.answered(RequestObserver.toolCall("add_text_document"), 400, Duration.ofMillis(2));
        requests.answered(RequestObserver.toolCall("list_documents"), 200, Duration.ofMillis(2));
        requests.answered("POST /mcp", 200, Duration.ofMillis(10));

        assertThat(count(Meters.UPLOADS, "success")).isEqualTo(1);
        assertThat(count(Meters.UPLOADS, "refused")).isEqualTo(2);
        assertThat(count(Meters.UPLOADS, "failed")).isEqualTo(1);
        assertThat(count(Meters.SEARCHES, "success")).isEqualTo(2);
        assertThat(count(Meters.SEARCHES, "refused")).isEqualTo(1);
        assertThat(count(Meters.SEARCHES, "failed")).isZero();
        assertThat(registry.get(Meters.UPLOADS).tag(Meters.OUTCOME, "success").timer().totalTime(
                TimeUnit.MILLISECONDS)).isEqualTo(40);
    }

    @Test
    void anIndexedVersionRecordsItsOwnStageTimingsWordPiecesAndWait() {
        PipelineMeters pipeline = new PipelineMeters(registry);
        IndexingStats stats = new IndexingStats(3, 360, 240, 1, 7, "all-minilm-l6-v2",
                Map.of("fetch", 20L, "extract", 30L, "chunk", 5L, "embed", 400L, "write", 60L), 1_800, 0, 400, 0);

        pipeline.ingested(new IngestionOutcome.Indexed(stats), Instant.now().minusSeconds(3));
        pipeline.ingested(new IngestionOutcome.Failed("not a PDF", false), Instant.now());
        pipeline.ingested(new IngestionOutcome.Removed(8), Instant.now());
        pipeline.deadLettered(Topics.INGESTION_DLQ.name());

        assertThat(registry.get(Meters.DOCUMENTS).tag(Meters.OUTCOME, "indexed").counter().count()).isEqualTo(1);
        assertThat(registry.get(Meters.DOCUMENTS).tag(Meters.OUTCOME, "failed").counter().count()).isEqualTo(1);
        assertThat(registry.get(Meters.EMBEDDED_WORD_PIECES).counter().count()).isEqualTo(240);
        assertThat(registry.get(Meters.INGESTION_STAGE).tag(Meters.STAGE, "embed").timer()
                .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(400);
        assertThat(registry.get(Meters.INGESTION_STAGE).timers()).hasSize(5)
                .allSatisfy(timer -> assertThat(timer.count()).isEqualTo(1));
        assertThat(registry.get(Meters.UPLOAD_TO_INDEXED).timer().totalTime(TimeUnit.SECONDS))
                .isGreaterThanOrEqualTo(3);
        assertThat(registry.get(Meters.DEAD_LETTERS).tag(Meters.TOPIC, Topics.INGESTION_DLQ.name()).counter().count())
                .isEqualTo(1);
    }

    private long count(String timer, String outcome) {
        return registry.get(timer).tag(Meters.OUTCOME, outcome).timer().count();
    }
}
