package io.dynrag.projections.document;

import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.projections.Projections;
import io.dynrag.projections.testing.ReadModelDatabase;
import io.dynrag.projections.testing.TopicRecords;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentMetadataChanged;
import io.dynrag.schemas.document.DocumentRemovedFromIndex;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.dynrag.projections.testing.ReadModelDatabase.apply;
import static io.dynrag.projections.testing.ReadModelDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The documents catalogue as the events build it, on a real PostgreSQL. */
class DocumentsProjectionTest {

    private static final String CUSTOMER = "c-1";
    private static final String OTHER_CUSTOMER = "c-2";
    private static final String DOCUMENT = "d-1";
    private static final Instant UPLOADED_AT = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant INDEXED_AT = Instant.parse("2026-03-01T10:00:05Z");
    private static final IndexingStats STATS = new IndexingStats(12, 2_400, 1_800, 3, 17, "all-minilm-l6-v2",
            Map.of("fetch", 4L, "embed", 310L), 9_876, 4, 2_210, 36);

    private final DocumentsProjection projection = new DocumentsProjection();
    private final TopicRecords topics = new TopicRecords();
    private DataSource database;
    private DocumentCatalog catalog;

    @BeforeEach
    void emptyReadModel() {
        database = ReadModelDatabase.get().emptySchema(Projections.SCHEMA);
        catalog = new DocumentCatalog(database);
    }

    @Test
    void anIndexedVersionShowsItsStatistics() {
        apply(uploaded(DOCUMENT, 0, 1), started(DOCUMENT, 1, 1), indexed(DOCUMENT, 2, 1, STATS));

        DocumentRow document = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(document.status()).isEqualTo("INDEXED");
        assertThat(document.version()).isEqualTo(1);
        assertThat(document.title()).isEqualTo("Handbook");
        assertThat(document.bytes()).isEqualTo(48_213);
        assertThat(document.updatedAt()).isEqualTo(INDEXED_AT);
        assertThat(document.stats()).as("the document's row keeps no stage timings").isEqualTo(withoutStages(STATS));
        assertThat(catalog.versions(CUSTOMER, DOCUMENT)).singleElement()
                .satisfies(version -> assertThat(version.stats()).isEqualTo(STATS));
    }

    @Test
    void theStatusFollowsThePipelineAndAFailureItsReason() {
        apply(uploaded(DOCUMENT, 0, 1));
        assertThat(catalog.find(CUSTOMER, DOCUMENT).orElseThrow())
                .satisfies(row -> assertThat(row.status()).isEqualTo("PENDING"))
                .satisfies(row -> assertThat(row.stats()).isNull());

        apply(started(DOCUMENT, 1, 1));
        assertThat(catalog.find(CUSTOMER, DOCUMENT).orElseThrow().status()).isEqualTo("PROCESSING");

        apply(failed(DOCUMENT, 2, 1, "the document contains no text to index"));
        DocumentRow failed = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(failed.status()).isEqualTo("FAILED");
        assertThat(failed.failureReason()).isEqualTo("the document contains no text to index");
        assertThat(failed.stats()).isNull();
        assertThat(catalog.versions(CUSTOMER, DOCUMENT).getFirst().failureReason())
                .isEqualTo("the document contains no text to index");
    }

    @Test
    void aNewVersionStartsWithoutStatisticsWhileTheEarlierKeepsItsOwn() {
        apply(uploaded(DOCUMENT, 0, 1), indexed(DOCUMENT, 1, 1, STATS), uploaded(DOCUMENT, 2, 2));

        DocumentRow document = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(document.version()).isEqualTo(2);
        assertThat(document.status()).isEqualTo("PENDING");
        assertThat(document.stats()).isNull();
        assertThat(catalog.versions(CUSTOMER, DOCUMENT))
                .extracting(DocumentRow::version, DocumentRow::status, DocumentRow::stats)
                .containsExactly(tuple(1, "INDEXED", STATS),
                        tuple(2, "PENDING", null));
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        ConsumerRecord<String, byte[]> upload = uploaded(DOCUMENT, 0, 1);
        apply(upload, indexed(DOCUMENT, 1, 1, STATS));

        apply(upload);

        DocumentRow document = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(document.status()).isEqualTo("INDEXED");
        assertThat(document.stats()).isEqualTo(withoutStages(STATS));
        assertThat(ReadModelDatabase.value(database, "SELECT count(*) FROM document_history")).as("states")
                .isEqualTo(2L);
    }

    @Test
    void eachEventLeavesAStateValidUntilTheNextOneDeletionIncluded() {
        apply(uploaded(DOCUMENT, 0, 1), topics.document(CUSTOMER, DOCUMENT, 1, UPLOADED_AT.plusSeconds(1),
                        DocumentIngestionStarted.newBuilder().setVersion(1).build()),
                topics.document(CUSTOMER, DOCUMENT, 2, UPLOADED_AT.plusSeconds(3),
                        DocumentDeleted.newBuilder().setLastVersion(1).build()));

        assertThat(statusAt(UPLOADED_AT.minusMillis(1))).isEmpty();
        assertThat(statusAt(UPLOADED_AT)).containsExactly("PENDING");
        assertThat(statusAt(UPLOADED_AT.plusMillis(999))).containsExactly("PENDING");
        assertThat(statusAt(UPLOADED_AT.plusSeconds(1))).containsExactly("PROCESSING");
        assertThat(statusAt(UPLOADED_AT.plusSeconds(3))).containsExactly("DELETED");
        assertThat(statusAt(UPLOADED_AT.plusSeconds(60))).containsExactly("DELETED");
        assertThat(ReadModelDatabase.value(database, "SELECT count(*) FROM document_history WHERE valid_to IS NULL"))
                .as("one current state").isEqualTo(1L);
        assertThat(catalog.historySpan(CUSTOMER)).contains(
                new DocumentCatalog.HistorySpan(Instant.MIN, UPLOADED_AT.plusSeconds(3)));
        assertThat(catalog.historySpan(OTHER_CUSTOMER)).isEmpty();
    }

    @Test
    void aDeletedDocumentKeepsItsStatisticsAndNotesWhenItLeftTheIndex() {
        apply(uploaded(DOCUMENT, 0, 1), indexed(DOCUMENT, 1, 1, STATS),
                document(DOCUMENT, 2, DocumentDeleted.newBuilder().setLastVersion(1).build()));
        assertThat(catalog.find(CUSTOMER, DOCUMENT).orElseThrow())
                .satisfies(row -> assertThat(row.status()).isEqualTo("DELETED"))
                .satisfies(row -> assertThat(row.stats()).isEqualTo(withoutStages(STATS)));

        apply(document(DOCUMENT, 3, DocumentRemovedFromIndex.newBuilder().setLanceVersion(18).build()));

        assertThat(ReadModelDatabase.value(database,
                "SELECT removed_lance_version FROM document WHERE document_id = ?", DOCUMENT)).isEqualTo(18L);
        assertThat(catalog.find(CUSTOMER, DOCUMENT).orElseThrow().status()).isEqualTo("DELETED");
    }

    @Test
    void aDeletedCustomersRowsGoAndLateEventsDoNotBringThemBack() {
        apply(uploaded(DOCUMENT, 0, 1), indexed(DOCUMENT, 1, 1, STATS),
                topics.document(OTHER_CUSTOMER, "d-9", 0, UPLOADED_AT, upload(1)));

        apply(topics.customer(CUSTOMER, 5, INDEXED_AT, CustomerDeleted.newBuilder().build()));
        apply(uploaded("d-2", 0, 1), failed(DOCUMENT, 2, 1, "late"));

        assertThat(catalog.find(CUSTOMER, DOCUMENT)).isEmpty();
        assertThat(catalog.versions(CUSTOMER, DOCUMENT)).isEmpty();
        assertThat(catalog.find(CUSTOMER, "d-2")).isEmpty();
        assertThat(catalog.find(OTHER_CUSTOMER, "d-9")).as("another customer's documents stay").isPresent();
        assertThat(ReadModelDatabase.value(database, "SELECT count(*) FROM document_history WHERE customer_id = ?",
                CUSTOMER)).isEqualTo(0L);
        assertThat(catalog.historySpan(CUSTOMER)).isEmpty();
        assertThat(catalog.historySpan(OTHER_CUSTOMER)).isPresent();
    }

    @Test
    void anotherTenantFindsNothing() {
        apply(uploaded(DOCUMENT, 0, 1), indexed(DOCUMENT, 1, 1, STATS));

        assertThat(catalog.find(OTHER_CUSTOMER, DOCUMENT)).isEmpty();
        assertThat(catalog.versions(OTHER_CUSTOMER, DOCUMENT)).isEmpty();
    }

    @Test
    void anUnreadableRecordIsSkippedAndReadPast() {
        apply(topics.raw(Topics.DOCUMENT_EVENTS.name(), CUSTOMER, "not avro".getBytes(StandardCharsets.UTF_8)),
                uploaded(DOCUMENT, 0, 1));

        assertThat(catalog.find(CUSTOMER, DOCUMENT)).isPresent();
        assertThat(rows(database, "projection_offset"))
                .containsExactly("(documents," + Topics.DOCUMENT_EVENTS.name() + ",0,2)");
    }

    @Test
    void aRebuildFromTheFirstEventGivesTheSameRows() {
        ConsumerRecord<String, byte[]> upload = uploaded(DOCUMENT, 0, 1);
        ConsumerRecord<String, byte[]> indexed = indexed(DOCUMENT, 2, 1, STATS);
        List<ConsumerRecord<String, byte[]>> history = List.of(upload, started(DOCUMENT, 1, 1), indexed,
                uploaded(DOCUMENT, 3, 2), failed(DOCUMENT, 4, 2, "the embedding provider failed: 503"),
                uploaded("d-2", 0, 1), indexed("d-2", 1, 1, STATS),
                document("d-2", 2, DocumentDeleted.newBuilder().setLastVersion(1).build()),
                topics.document(OTHER_CUSTOMER, "d-9", 0, UPLOADED_AT, upload(1)),
                topics.customer(OTHER_CUSTOMER, 3, INDEXED_AT, CustomerDeleted.newBuilder().build()));
        // Live: one record at a time, with redeliveries, as a runner that restarts now and then reads them.
        for (ConsumerRecord<String, byte[]> record : history) {
            apply(record);
            if (record == indexed) {
                apply(upload);
                apply(indexed);
            }
        }

        DataSource rebuilt = ReadModelDatabase.get().emptySchema("documents_rebuilt");
        ReadModelDatabase.apply(rebuilt, projection, history);

        for (String table : List.of("document", "document_version", "document_history", "document_history_span",
                "deleted_customer")) {
            assertThat(rows(rebuilt, table)).as(table).isNotEmpty().isEqualTo(rows(database, table));
        }
    }

    @Test
    void metadataComesWithTheUploadAndAChangeReplacesTitleAndMetadata() {
        DocumentVersionUploaded withMetadata = upload(1);
        withMetadata.setMetadata(Map.of("team", "search", "year", 2024L, "score", 0.5, "draft", true,
                "tags", List.of("a", "b")));
        apply(topics.document(CUSTOMER, DOCUMENT, 0, UPLOADED_AT, withMetadata));
        DocumentRow uploaded = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(uploaded.metadata()).isEqualTo(Map.of("team", "search", "year", 2024, "score", 0.5,
                "draft", true, "tags", List.of("a", "b")));
        assertThat(uploaded.createdAt()).isEqualTo(UPLOADED_AT);

        apply(document(DOCUMENT, 1, DocumentMetadataChanged.newBuilder().setTitle("Guide")
                .setMetadata(Map.of("team", "docs")).build()));
        DocumentRow changed = catalog.find(CUSTOMER, DOCUMENT).orElseThrow();
        assertThat(changed.title()).isEqualTo("Guide");
        assertThat(changed.metadata()).isEqualTo(Map.of("team", "docs"));
        assertThat(changed.createdAt()).as("created once").isEqualTo(UPLOADED_AT);
        assertThat(changed.updatedAt()).isEqualTo(INDEXED_AT);
        assertThat(catalog.versions(CUSTOMER, DOCUMENT)).singleElement()
                .satisfies(version -> assertThat(version.metadata()).isEqualTo(Map.of("team", "docs")));

        apply(topics.document(CUSTOMER, DOCUMENT, 2, INDEXED_AT, upload(2)));
        assertThat(catalog.find(CUSTOMER, DOCUMENT).orElseThrow().createdAt()).isEqualTo(UPLOADED_AT);
    }

    private List<String> statusAt(Instant at) {
        return catalog.listAsOf(new DocumentQuery(CUSTOMER, Set.of("PENDING", "PROCESSING", "DELETED"), Set.of(), null,
                null, null, null, null, Map.of(), DocumentFilter.EVERYTHING, DocumentQuery.Sort.UPDATED_AT, true, null,
                DocumentQuery.MAX_LIMIT), at).stream().map(DocumentRow::status).toList();
    }

    @SafeVarargs
    private void apply(ConsumerRecord<String, byte[]>... records) {
        ReadModelDatabase.apply(database, projection, List.of(records));
    }

    private ConsumerRecord<String, byte[]> uploaded(String documentId, long sequence, int version) {
        return topics.document(CUSTOMER, documentId, sequence, UPLOADED_AT, upload(version));
    }

    private static DocumentVersionUploaded upload(int version) {
        return DocumentVersionUploaded.newBuilder().setVersion(version).setTitle("Handbook")
                .setContentType("text/markdown").setS3Key("tenants/c-1/documents/d-1/ab").setSha256("ab".repeat(32))
                .setBytes(48_213).build();
    }

    private ConsumerRecord<String, byte[]> started(String documentId, long sequence, int version) {
        return document(documentId, sequence, DocumentIngestionStarted.newBuilder().setVersion(version).build());
    }

    private ConsumerRecord<String, byte[]> indexed(String documentId, long sequence, int version, IndexingStats stats) {
        return document(documentId, sequence, IndexingStatsAvro.toIndexedEvent(version, stats));
    }

    private ConsumerRecord<String, byte[]> failed(String documentId, long sequence, int version, String reason) {
        return document(documentId, sequence, DocumentVersionFailed.newBuilder().setVersion(version)
                .setReason(reason).setRetryable(false).build());
    }

    private ConsumerRecord<String, byte[]> document(String documentId, long sequence, Object payload) {
        return topics.document(CUSTOMER, documentId, sequence, INDEXED_AT, payload);
    }

    private static IndexingStats withoutStages(IndexingStats stats) {
        return new IndexingStats(stats.chunks(), stats.tokens(), stats.embeddedTokens(), stats.reusedChunks(),
                stats.lanceVersion(), stats.model(), Map.of(), stats.characters(), stats.pages(),
                stats.meteredTokens(), stats.costMicroUsd());
    }
}
