package io.dynrag.projections.usage;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.projections.Projections;
import io.dynrag.projections.testing.ReadModelDatabase;
import io.dynrag.projections.testing.TopicRecords;
import io.dynrag.projections.usage.UsageCatalog.Counters;
import io.dynrag.projections.usage.UsageCatalog.DocumentUsage;
import io.dynrag.projections.usage.UsageCatalog.Granularity;
import io.dynrag.projections.usage.UsageCatalog.Period;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.domain.IndexingStatsAvro;
import io.dynrag.schemas.usage.UsageKind;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static io.dynrag.projections.testing.ReadModelDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** What customers are billed by, as the events and usage facts build it, on a real PostgreSQL. */
class UsageProjectionTest {

    private static final String CUSTOMER = "c-1";
    private static final String OTHER_CUSTOMER = "c-2";
    private static final String DOCUMENT = "d-1";
    private static final LocalDate DAY = LocalDate.parse("2026-03-01");
    private static final Instant MORNING = Instant.parse("2026-03-01T09:00:00Z");
    private static final Instant LAST_SECOND = Instant.parse("2026-03-01T23:59:59Z");
    private static final Instant NEXT_DAY = Instant.parse("2026-03-02T00:00:01Z");
    private static final IndexingStats STATS = new IndexingStats(12, 2_400, 1_800, 3, 17, "all-minilm-l6-v2",
            Map.of("embed", 310L), 9_876, 4, 2_210, 36);
    private static final Counters NOTHING = new Counters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final UsageProjection projection = new UsageProjection();
    private final TopicRecords topics = new TopicRecords();
    private DataSource database;
    private UsageCatalog catalog;

    @BeforeEach
    void emptyReadModel() {
        database = ReadModelDatabase.get().emptySchema(Projections.SCHEMA);
        catalog = new UsageCatalog(database);
    }

    @Test
    void anIndexedVersionAddsItsStatisticsToTheDayAndToTheDocument() {
        apply(uploaded(CUSTOMER, DOCUMENT, 0, 1, MORNING), indexed(CUSTOMER, DOCUMENT, 1, 1, MORNING));

        assertThat(catalog.total(CUSTOMER, DAY, DAY)).isEqualTo(new Counters(1, 1, 0, 0, 48_213, 4, 12, 1_800,
                600, 2_210, 36, 0, 0, 0, 0, 0, 0));
        assertThat(catalog.documents(CUSTOMER, 10)).containsExactly(new DocumentUsage(DOCUMENT, "Handbook", 1, 1,
                48_213, 12, 1_800, 600, 2_210, 36, false));
    }

    @Test
    void everyCountLandsOnTheUtcDayItHappened() {
        apply(uploaded(CUSTOMER, DOCUMENT, 0, 1, LAST_SECOND), indexed(CUSTOMER, DOCUMENT, 1, 1, NEXT_DAY));

        assertThat(catalog.usage(CUSTOMER, DAY, DAY.plusDays(1), Granularity.DAY))
                .extracting(Period::start, period -> period.counters().documentsUploaded(),
                        period -> period.counters().documentsIndexed())
                .containsExactly(tuple(DAY, 1L, 0L),
                        tuple(DAY.plusDays(1), 0L, 1L));
        assertThat(catalog.usage(CUSTOMER, DAY, DAY.plusDays(1), Granularity.MONTH)).singleElement()
                .satisfies(month -> assertThat(month.start()).isEqualTo(DAY.withDayOfMonth(1)))
                .satisfies(month -> assertThat(month.counters().documentsIndexed()).isEqualTo(1));
    }

    @Test
    void aRedeliveredEventIsCountedOnce() {
        ConsumerRecord<String, byte[]> indexed = indexed(CUSTOMER, DOCUMENT, 1, 1, MORNING);
        apply(uploaded(CUSTOMER, DOCUMENT, 0, 1, MORNING), indexed);

        apply(indexed);

        assertThat(catalog.total(CUSTOMER, DAY, DAY).costMicroUsd()).isEqualTo(36);
        assertThat(catalog.documents(CUSTOMER, 10).getFirst().indexedVersions()).isEqualTo(1);
    }

    @Test
    void usageFactsCountApiCallsAndSearches() {
        apply(topics.usage(CUSTOMER, UsageKind.API_CALL, MORNING), topics.usage(CUSTOMER, UsageKind.API_CALL, MORNING),
                topics.usage(CUSTOMER, UsageKind.SEARCH_QUERY, MORNING));

        Counters total = catalog.total(CUSTOMER, DAY, DAY);
        assertThat(total.apiCalls()).isEqualTo(2);
        assertThat(total.searchQueries()).isEqualTo(1);
    }

    @Test
    void rerankedSearchesAddTheirDocumentsTokensAndCost() {
        apply(topics.rerankedSearch(CUSTOMER, 30, 1_200, 2_000, MORNING),
                topics.rerankedSearch(CUSTOMER, 12, 500, 2_000, MORNING));

        Counters total = catalog.total(CUSTOMER, DAY, DAY);
        assertThat(total.rerankedSearches()).isEqualTo(2);
        assertThat(total.rerankedDocuments()).isEqualTo(42);
        assertThat(total.rerankTokens()).isEqualTo(1_700);
        assertThat(total.rerankCostMicroUsd()).isEqualTo(4_000);
        assertThat(total.costMicroUsd()).as("embedding cost apart").isZero();
        assertThat(total.apiCalls()).isZero();
    }

    @Test
    void failuresAndDeletionsAreCounted() {
        apply(uploaded(CUSTOMER, DOCUMENT, 0, 1, MORNING),
                document(CUSTOMER, DOCUMENT, 1, MORNING, DocumentVersionFailed.newBuilder().setVersion(1)
                        .setReason("unreadable").setRetryable(false).build()),
                document(CUSTOMER, DOCUMENT, 2, MORNING, DocumentDeleted.newBuilder().setLastVersion(1).build()));

        Counters total = catalog.total(CUSTOMER, DAY, DAY);
        assertThat(total.documentsFailed()).isEqualTo(1);
        assertThat(total.documentsDeleted()).isEqualTo(1);
        assertThat(catalog.documents(CUSTOMER, 10)).singleElement()
                .satisfies(usage -> assertThat(usage.deleted()).isTrue())
                .satisfies(usage -> assertThat(usage.title()).isEqualTo("Handbook"));
    }

    @Test
    void aDeletedCustomersUsageGoesAndLaterFactsDoNotBringItBack() {
        apply(uploaded(CUSTOMER, DOCUMENT, 0, 1, MORNING), indexed(CUSTOMER, DOCUMENT, 1, 1, MORNING),
                uploaded(OTHER_CUSTOMER, "d-9", 0, 1, MORNING));

        apply(topics.customer(CUSTOMER, 4, MORNING, CustomerDeleted.newBuilder().build()));
        apply(topics.usage(CUSTOMER, UsageKind.API_CALL, MORNING), uploaded(CUSTOMER, "d-2", 0, 1, MORNING));

        assertThat(catalog.total(CUSTOMER, DAY, DAY)).isEqualTo(NOTHING);
        assertThat(catalog.documents(CUSTOMER, 10)).isEmpty();
        assertThat(catalog.total(OTHER_CUSTOMER, DAY, DAY).documentsUploaded()).isEqualTo(1);
    }

    @Test
    void topConsumersComeByCost() {
        apply(uploaded(OTHER_CUSTOMER, "d-9", 0, 1, MORNING), uploaded(CUSTOMER, DOCUMENT, 0, 1, MORNING),
                indexed(CUSTOMER, DOCUMENT, 1, 1, MORNING));

        assertThat(catalog.topConsumers(DAY, DAY, 10))
                .extracting(UsageCatalog.CustomerUsage::customerId).containsExactly(CUSTOMER, OTHER_CUSTOMER);
        assertThat(catalog.total(DAY, DAY).documentsUploaded()).isEqualTo(2);
    }

    @Test
    void aRebuildFromTheFirstRecordGivesTheSameRows() {
        ConsumerRecord<String, byte[]> upload = uploaded(CUSTOMER, DOCUMENT, 0, 1, LAST_SECOND);
        ConsumerRecord<String, byte[]> indexed = indexed(CUSTOMER, DOCUMENT, 1, 1, NEXT_DAY);
        List<ConsumerRecord<String, byte[]>> history = List.of(upload, indexed,
                uploaded(CUSTOMER, DOCUMENT, 2, 2, NEXT_DAY), indexed(CUSTOMER, DOCUMENT, 3, 2, NEXT_DAY),
                topics.usage(CUSTOMER, UsageKind.SEARCH_QUERY, NEXT_DAY),
                uploaded(OTHER_CUSTOMER, "d-9", 0, 1, MORNING),
                topics.customer(OTHER_CUSTOMER, 2, NEXT_DAY, CustomerDeleted.newBuilder().build()));
        for (ConsumerRecord<String, byte[]> record : history) {
            apply(record);
            if (record == indexed) {
                apply(upload);
                apply(indexed);
            }
        }

        DataSource rebuilt = ReadModelDatabase.get().emptySchema("usage_rebuilt");
        ReadModelDatabase.apply(rebuilt, projection, history);

        for (String table : List.of("usage_daily", "usage_document", "deleted_customer")) {
            assertThat(rows(rebuilt, table)).as(table).isNotEmpty().isEqualTo(rows(database, table));
        }
    }

    @SafeVarargs
    private void apply(ConsumerRecord<String, byte[]>... records) {
        ReadModelDatabase.apply(database, projection, List.of(records));
    }

    private ConsumerRecord<String, byte[]> uploaded(String customerId, String documentId, long sequence, int version,
                                                    Instant at) {
        return document(customerId, documentId, sequence, at, DocumentVersionUploaded.newBuilder().setVersion(version)
                .setTitle("Handbook").setContentType("text/markdown").setS3Key("tenants/" + customerId + "/x")
                .setSha256("ab".repeat(32)).setBytes(48_213).build());
    }

    private ConsumerRecord<String, byte[]> indexed(String customerId, String documentId, long sequence, int version,
                                                   Instant at) {
        return document(customerId, documentId, sequence, at, IndexingStatsAvro.toIndexedEvent(version, STATS));
    }

    private ConsumerRecord<String, byte[]> document(String customerId, String documentId, long sequence, Instant at,
                                                    Object payload) {
        return topics.document(customerId, documentId, sequence, at, payload);
    }
}
