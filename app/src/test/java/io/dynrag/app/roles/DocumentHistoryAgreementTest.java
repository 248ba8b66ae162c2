package io.dynrag.app.roles;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.api.document.DocumentHistory;
import io.dynrag.api.document.DocumentListItem;
import io.dynrag.api.document.PastDocumentList;
import io.dynrag.api.publishing.StoredEventRecords;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.FilterParser;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.testing.TestDatabase;
import io.dynrag.projections.AppliedRecords;
import io.dynrag.projections.Projections;
import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.document.DocumentsProjection;
import io.dynrag.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.axonframework.common.DateTimeUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The documents read model's history and the rebuild from the event store answer the same, at every instant: the
 * same events, stored in a real event store and applied by the documents projection as the publisher sends them,
 * asked for list pages (every order, filters, keyset pages) and filtered ids before, at, between and after the
 * events' times.
 */
class DocumentHistoryAgreementTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String SCHEMA = "history_agreement";
    private static final ObjectMapper EVENTS = Json.eventMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** The rebuild alone: a history that has applied nothing. */
    private static final DocumentHistory NOTHING_APPLIED = new DocumentHistory() {
        @Override
        public Optional<Span> span(String customerId) {
            return Optional.empty();
        }

        @Override
        public List<DocumentListItem> list(DocumentQuery query, Instant asOf) {
            throw new AssertionError("the history holds nothing");
        }

        @Override
        public Set<String> matching(String customerId, DocumentFilter filter, Instant asOf) {
            throw new AssertionError("the history holds nothing");
        }
    };
    private static final List<String> FILTERS = List.of(
            "{\"metadata.team\": \"search\"}",
            "{\"metadata.year\": {\"$gte\": 2024}}",
            "{\"metadata.tags\": \"sea\"}",
            "{\"metadata.draft\": {\"$exists\": true}}",
            "{\"metadata.published\": {\"$gte\": \"2026-01-02\"}}",
            "{\"$or\": [{\"metadata.team\": \"docs\"}, {\"contentType\": \"application/pdf\"}]}",
            "{\"title\": {\"$ne\": \"Alpha guide\"}, \"updatedAt\": {\"$lt\": \"2026-03-01T10:00:08Z\"}}",
            "{\"createdAt\": {\"$gte\": \"2026-03-01T10:00:02Z\"}}",
            "{\"documentId\": {\"$nin\": [\"d-1\"]}}");

    private static final TestDatabase EVENT_STORE = TestDatabase.get();
    private static HikariDataSource readModel;
    private static Instant last;
    private static final Set<Instant> EVENT_TIMES = new TreeSet<>();

    private final ProjectedDocuments history = new ProjectedDocuments(new DocumentCatalog(readModel));
    private final PastDocumentList rebuild = new PastDocumentList(EVENT_STORE.transactions(), NOTHING_APPLIED);

    @BeforeAll
    static void eventsStoredAndProjected() throws SQLException {
        EVENT_STORE.truncate("domain_event_entry", "document_state");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(((HikariDataSource) EVENT_STORE.dataSource()).getJdbcUrl());
        config.setConnectionInitSql("SET search_path TO " + SCHEMA);
        config.setMaximumPoolSize(2);
        readModel = new HikariDataSource(config);
        try (Connection connection = readModel.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
        }
        Projections.migrate(readModel, SCHEMA);

        IndexingStats stats = new IndexingStats(3, 40, 40, 0, 7, "m", Map.of(), 200, 1, 40, 1);
        Events events = new Events();
        events.add(0, "c-1", "d-1", uploaded("c-1", "d-1", 1, "Beta notes", "text/plain", 10,
                Map.of("team", "search", "year", 2024L, "tags", List.of("moon", "sea"))));
        events.add(0, "c-1", "d-2", uploaded("c-1", "d-2", 1, "Alpha guide", "text/markdown", 20,
                Map.of("team", "docs", "draft", true)));
        events.add(0, "c-2", "d-9", uploaded("c-2", "d-9", 1, "Alpha foreign", "text/plain", 50,
                Map.of("team", "search")));
        events.add(1_000, "c-1", "d-1", new DocumentIngestionStarted("d-1", "c-1", 1));
        events.add(2_000, "c-1", "d-1", new DocumentVersionIndexed("d-1", "c-1", 1, stats));
        events.add(2_000, "c-1", "d-3", uploaded("c-1", "d-3", 1, "Alpha manual", "application/pdf", 30,
                Map.of("team", "search", "year", "2024", "published", "2026-01-02")));
        events.add(3_000, "c-1", "d-2", new DocumentIngestionStarted("d-2", "c-1", 1));
        events.add(4_000, "c-1", "d-2", new DocumentVersionFailed("d-2", "c-1", 1, "no text", false));
        events.add(5_000, "c-1", "d-1", new DocumentMetadataChanged("d-1", "c-1", "Handbook",
                Map.of("team", "docs", "year", 2025L)));
        events.add(5_000, "c-1", "d-3", new DocumentIngestionStarted("d-3", "c-1", 1));
        events.add(6_000, "c-1", "d-4", uploaded("c-1", "d-4", 1, "Gamma", "text/plain", 40, Map.of()));
        events.add(7_000, "c-1", "d-4", new DocumentDeleted("d-4", "c-1", 1));
        events.add(7_250, "c-1", "d-4", new DocumentRemovedFromIndex("d-4", "c-1", 9));
        events.add(8_000, "c-1", "d-2", uploaded("c-1", "d-2", 2, "Alpha guide", "text/plain", 25,
                Map.of("team", "search", "draft", false)));
        events.add(8_000, "c-1", "d-3", new DocumentVersionIndexed("d-3", "c-1", 1, stats));
        // An outcome of an earlier version changes only the time.
        events.add(9_000, "c-1", "d-2", new DocumentVersionFailed("d-2", "c-1", 1, "late", false));
        events.add(10_000, "c-1", "d-2", new DocumentVersionIndexed("d-2", "c-1", 2, stats));
        events.add(10_000, "c-2", "d-9", new DocumentDeleted("d-9", "c-2", 1));
        events.add(11_000, "c-3", "d-7", uploaded("c-3", "d-7", 1, "Delta", "text/plain", 5, Map.of("team", "x")));
        events.add(12_000, "c-1", "d-1", new DocumentDeleted("d-1", "c-1", 1));
        events.add(12_500, "c-1", "d-5", uploaded("c-1", "d-5", 1, "Alpha omega", "text/plain", 5,
                Map.of("team", "search", "year", 2030L)));
        last = T0.plusMillis(12_500);

        List<ConsumerRecord<String, byte[]>> records;
        try (Stream<ConsumerRecord<String, byte[]>> stored = StoredEventRecords.read(EVENT_STORE.dataSource())) {
            records = stored.filter(record -> record.topic().equals(Topics.DOCUMENT_EVENTS.name())).toList();
        }
        assertThat(records).hasSize(events.count);
        try (Connection connection = readModel.getConnection()) {
            AppliedRecords.apply(connection, new DocumentsProjection(), records, true);
        }
    }

    @AfterAll
    static void closed() {
        readModel.close();
        EVENT_STORE.truncate("domain_event_entry", "document_state");
    }

    @Test
    void everyPageInEveryOrderWithEveryFilterIsTheSameAtEveryInstant() throws Exception {
        int compared = 0;
        for (Instant at : instants()) {
            for (String customer : List.of("c-1", "c-2", "c-3", "c-4")) {
                for (DocumentQuery query : queries(customer)) {
                    List<List<String>> fromHistory = pages(query, page -> history.list(page, at));
                    List<List<String>> fromEvents = pages(query, page -> rebuild.list(page, at));
                    assertThat(fromHistory).as(customer + " at " + at + ": " + query).isEqualTo(fromEvents);
                    compared++;
                }
            }
        }
        assertThat(compared).isGreaterThan(2_000);
    }

    @Test
    void aFilterKeepsTheSameDocumentsAtEveryInstant() throws Exception {
        for (Instant at : instants()) {
            for (String customer : List.of("c-1", "c-2", "c-3")) {
                for (String json : FILTERS) {
                    DocumentFilter filter = filter(json);
                    assertThat(new TreeSet<>(history.matching(customer, filter, at))).as(customer + " at " + at
                            + ": " + json).isEqualTo(new TreeSet<>(rebuild.matching(customer, filter, at)));
                }
            }
        }
        assertThat(history.matching("c-1", filter(FILTERS.getFirst()), last)).containsExactlyInAnyOrder("d-2", "d-3",
                "d-5");
    }

    @Test
    void theListOfThePastComesFromTheHistoryWhereItHoldsEveryEventAndAgreesWhereItDoesNot() throws Exception {
        PastDocumentList routed = new PastDocumentList(EVENT_STORE.transactions(), history);
        assertThat(history.span("c-1")).contains(new DocumentHistory.Span(Instant.MIN, last));
        assertThat(history.span("c-4")).isEmpty();
        // Within SETTLING of the latest applied event the event store answers; the answers are the same throughout.
        DocumentQuery all = query("c-1").statuses(Set.of("PENDING", "PROCESSING", "INDEXED", "FAILED", "DELETED"))
                .limit(2).build();
        for (Instant at : instants()) {
            assertThat(pages(all, page -> routed.list(page, at))).as("at " + at)
                    .isEqualTo(pages(all, page -> history.list(page, at)));
        }
    }

    /** At, a millisecond and a microsecond around, and between the events' times; before the first, long after. */
    private static List<Instant> instants() {
        Set<Instant> instants = new TreeSet<>(List.of(T0.minusSeconds(60), last.plusSeconds(3_600)));
        Instant before = null;
        for (Instant at : EVENT_TIMES) {
            instants.addAll(List.of(at, at.minusMillis(1), at.plusMillis(1), at.minusNanos(1_000),
                    at.plusNanos(1_000)));
            if (before != null) {
                instants.add(before.plus(Duration.between(before, at).dividedBy(2)));
            }
            before = at;
        }
        return List.copyOf(instants);
    }

    private static List<DocumentQuery> queries(String customer) throws Exception {
        List<DocumentQuery> queries = new ArrayList<>();
        for (DocumentQuery.Sort sort : DocumentQuery.Sort.values()) {
            for (boolean descending : new boolean[]{true, false}) {
                Query base = query(customer).sort(sort, descending).limit(2);
                queries.add(base.build());
                queries.add(base.statuses(Set.of("DELETED", "FAILED", "INDEXED")).build());
            }
        }
        Query base = query(customer).limit(3);
        queries.add(base.metadata(Map.of("team", List.of("search"))).build());
        queries.add(base.metadata(Map.of("year", List.of("2024", "2025"))).build());
        queries.add(base.titlePrefix("Alpha").build());
        queries.add(base.contentTypes(Set.of("text/plain")).build());
        queries.add(base.created(T0.plusSeconds(1), T0.plusSeconds(7)).build());
        queries.add(base.updated(T0.plusSeconds(4), null).build());
        queries.add(base.statuses(Set.of("PENDING", "PROCESSING")).build());
        for (String json : FILTERS) {
            queries.add(base.build(filter(json)));
        }
        queries.add(base.titlePrefix("Alpha").build(filter(FILTERS.get(5))));
        return queries;
    }

    /**
     * Every page, each after the last document of the one before, as a client with cursors reads them; each document
     * as the API writes it (metadata numbers read back as Integer or Long alike).
     */
    private static List<List<String>> pages(DocumentQuery query, Function<DocumentQuery, List<DocumentListItem>> list) throws JsonProcessingException {
        List<List<String>> pages = new ArrayList<>();
        DocumentQuery page = query;
        while (true) {
            List<DocumentListItem> items = list.apply(page);
            List<String> described = new ArrayList<>();
            for (DocumentListItem item : items) {
                described.add(String.join(" | ", item.documentId(), item.title(), item.status(),
                        item.contentType(), String.valueOf(item.bytes()), String.valueOf(item.version()),
                        item.createdAt().toString(), item.updatedAt().toString(),
                        CANONICAL.writeValueAsString(item.metadata())));
            }
            pages.add(described);
            if (items.size() < query.limit() || pages.size() > 20) {
                return pages;
            }
            DocumentListItem lastItem = items.getLast();
            page = new DocumentQuery(query.customerId(), query.statuses(), query.contentTypes(), query.createdFrom(),
                    query.createdTo(), query.updatedFrom(), query.updatedTo(), query.titlePrefix(), query.metadata(),
                    query.filter(), query.sort(), query.descending(), new DocumentQuery.Position(switch (query.sort()) {
                        case UPDATED_AT -> lastItem.updatedAt().toString();
                        case CREATED_AT -> lastItem.createdAt().toString();
                        case TITLE -> lastItem.title();
                    }, lastItem.documentId()), query.limit());
        }
    }

    private static DocumentFilter filter(String json) throws JsonProcessingException {
        return FilterParser.parse(CANONICAL.readValue(json, Object.class), json.length(), "/filter");
    }

    private static DocumentVersionUploaded uploaded(String customerId, String documentId, int version, String title,
                                                    String contentType, long bytes, Map<String, Object> metadata) {
        return new DocumentVersionUploaded(documentId, customerId, version, title, contentType, "k", "a".repeat(64),
                bytes, IndexingSettings.PIPELINE_DEFAULTS, metadata);
    }

    /** Events stored as the event store holds them, each document's numbered from 0. */
    private static final class Events {

        private final Map<String, Long> sequences = new HashMap<>();
        private int count;

        void add(long millis, String customerId, String documentId, Object payload) throws SQLException {
            Instant at = T0.plusMillis(millis);
            EVENT_TIMES.add(at);
            long sequence = sequences.merge(documentId, 1L, Long::sum) - 1;
            try (Connection connection = EVENT_STORE.dataSource().getConnection();
                 PreparedStatement event = connection.prepareStatement("""
                         INSERT INTO domain_event_entry (aggregate_identifier, sequence_number, type, event_identifier,
                                                         payload, payload_type, time_stamp, meta_data)
                         VALUES (?, ?, 'Document', ?, ?, ?, ?, CAST('{}' AS BYTEA))""");
                 PreparedStatement state = connection.prepareStatement("""
                         INSERT INTO document_state (document_id, customer_id, latest_version, latest_sha256, updated_at)
                         VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING""")) {
                event.setString(1, documentId);
                event.setLong(2, sequence);
                event.setString(3, UUID.randomUUID().toString());
                try {
                    event.setBytes(4, EVENTS.writeValueAsBytes(payload));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                event.setString(5, payload.getClass().getName());
                event.setString(6, DateTimeUtils.formatInstant(at));
                event.executeUpdate();
                state.setString(1, documentId);
                state.setString(2, customerId);
                state.setString(3, "a".repeat(64));
                state.setTimestamp(4, Timestamp.from(at));
                state.executeUpdate();
            }
            count++;
        }
    }

    private static Query query(String customerId) {
        return new Query(customerId, Set.of(), Set.of(), null, null, null, null, null, Map.of(),
                DocumentQuery.Sort.UPDATED_AT, true, DocumentQuery.MAX_LIMIT);
    }

    /** A query built step by step; each step returns a changed copy. */
    private record Query(String customerId, Set<String> statuses, Set<String> contentTypes, Instant createdFrom,
                         Instant createdTo, Instant updatedFrom, Instant updatedTo, String titlePrefix,
                         Map<String, List<String>> metadata, DocumentQuery.Sort sort, boolean descending, int limit) {

        Query statuses(Set<String> to) {
            return new Query(customerId, to, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, limit);
        }

        Query contentTypes(Set<String> to) {
            return new Query(customerId, statuses, to, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, limit);
        }

        Query created(Instant from, Instant to) {
            return new Query(customerId, statuses, contentTypes, from, to, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, limit);
        }

        Query updated(Instant from, Instant to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, from, to,
                    titlePrefix, metadata, sort, descending, limit);
        }

        Query titlePrefix(String to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    to, metadata, sort, descending, limit);
        }

        Query metadata(Map<String, List<String>> to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, to, sort, descending, limit);
        }

        Query sort(DocumentQuery.Sort to, boolean inDescendingOrder) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, to, inDescendingOrder, limit);
        }

        Query limit(int to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, to);
        }

        DocumentQuery build() {
            return build(DocumentFilter.EVERYTHING);
        }

        DocumentQuery build(DocumentFilter filter) {
            return new DocumentQuery(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom,
                    updatedTo, titlePrefix, metadata, filter, sort, descending, null, limit);
        }
    }
}
