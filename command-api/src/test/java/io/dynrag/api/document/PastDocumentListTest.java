package io.dynrag.api.document;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.platform.http.Json;
import io.dynrag.platform.testing.TestDatabase;
import org.axonframework.common.DateTimeUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The document list as of an instant, rebuilt from events stored in a real PostgreSQL event store. */
class PastDocumentListTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final ObjectMapper EVENTS = Json.eventMapper();
    /** A read model that has applied nothing yet, so every list comes from the event store. */
    static final DocumentHistory NO_HISTORY = new DocumentHistory() {
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

    private final TestDatabase database = TestDatabase.get();
    private final PastDocumentList past = new PastDocumentList(database.transactions(), NO_HISTORY);

    @BeforeEach
    @AfterEach
    void emptyEventStore() {
        database.truncate("domain_event_entry", "document_state");
    }

    @Test
    void theListAsItWasWithTheTitlesMetadataAndStatusesOfThen() throws SQLException {
        store("c-1", "d-1", 0, T0, uploaded("c-1", "d-1", "Notes", Map.of("team", "search")));
        store("c-1", "d-1", 1, T0.plusSeconds(1), new DocumentVersionIndexed("d-1", "c-1", 1, new IndexingStats(1, 2,
                2, 0, 3, "m", Map.of(), 0, 0, 0, 0)));
        store("c-1", "d-2", 0, T0.plusSeconds(2), uploaded("c-1", "d-2", "Atlas", Map.of("year", 2024L)));
        store("c-1", "d-2", 1, T0.plusSeconds(5), new DocumentDeleted("d-2", "c-1", 1));
        store("c-1", "d-1", 2, T0.plusSeconds(10), new DocumentMetadataChanged("d-1", "c-1", "Handbook",
                Map.of("team", "docs")));
        store("c-2", "d-9", 0, T0, uploaded("c-2", "d-9", "Foreign", Map.of("team", "search")));

        List<DocumentListItem> early = past.list(query("c-1", Set.of(), Map.of(), null), T0.plusSeconds(3));
        assertThat(early).extracting(DocumentListItem::documentId).containsExactly("d-2", "d-1");
        assertThat(early.get(1).title()).isEqualTo("Notes");
        assertThat(early.get(1).status()).isEqualTo("INDEXED");
        assertThat(early.get(1).createdAt()).isEqualTo(T0);
        assertThat(early.get(1).updatedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(past.list(query("c-1", Set.of(), Map.of("team", List.of("search")), null), T0.plusSeconds(3)))
                .extracting(DocumentListItem::documentId).containsExactly("d-1");

        List<DocumentListItem> late = past.list(query("c-1", Set.of(), Map.of(), null), T0.plusSeconds(20));
        assertThat(late).extracting(DocumentListItem::documentId).containsExactly("d-1");
        assertThat(late.getFirst().title()).isEqualTo("Handbook");
        assertThat(late.getFirst().metadata()).isEqualTo(Map.of("team", "docs"));
        assertThat(past.list(query("c-1", Set.of("DELETED"), Map.of(), null), T0.plusSeconds(20)))
                .extracting(DocumentListItem::documentId).containsExactly("d-2");
        assertThat(past.list(query("c-1", Set.of(), Map.of(), null), T0.minusSeconds(1))).isEmpty();

        DocumentQuery.Position afterFirst = new DocumentQuery.Position(T0.plusSeconds(2).toString(), "d-2");
        assertThat(past.list(query("c-1", Set.of(), Map.of(), afterFirst), T0.plusSeconds(3)))
                .extracting(DocumentListItem::documentId).containsExactly("d-1");
    }

    @Test
    void theHistoryAnswersForInstantsItHoldsEveryEventOfAndTheEventStoreForTheRest() throws SQLException {
        store("c-1", "d-1", 0, T0, uploaded("c-1", "d-1", "Notes", Map.of("team", "search")));
        DocumentListItem recorded = new DocumentListItem("from-history", "Recorded", "INDEXED", "text/plain", 1, 1,
                T0, T0, Map.of());
        DocumentHistory history = new DocumentHistory() {
            @Override
            public Optional<Span> span(String customerId) {
                return customerId.equals("c-1") ? Optional.of(new Span(T0, T0.plusSeconds(60))) : Optional.empty();
            }

            @Override
            public List<DocumentListItem> list(DocumentQuery query, Instant asOf) {
                return List.of(recorded);
            }

            @Override
            public Set<String> matching(String customerId, DocumentFilter filter, Instant asOf) {
                return Set.of("from-history");
            }
        };
        PastDocumentList routed = new PastDocumentList(database.transactions(), history);
        DocumentQuery all = query("c-1", Set.of(), Map.of(), null);
        DocumentFilter everything = DocumentFilter.EVERYTHING;

        for (Instant held : List.of(T0, T0.plusSeconds(30), T0.plusSeconds(60).minus(PastDocumentList.SETTLING))) {
            assertThat(routed.list(all, held)).as("at " + held).containsExactly(recorded);
            assertThat(routed.matching("c-1", everything, held)).containsExactly("from-history");
        }
        for (Instant notYet : List.of(T0.plusSeconds(60).minus(PastDocumentList.SETTLING).plusMillis(1),
                T0.plusSeconds(60), T0.plusSeconds(3_600))) {
            assertThat(routed.list(all, notYet)).as("at " + notYet).extracting(DocumentListItem::documentId)
                    .containsExactly("d-1");
            assertThat(routed.matching("c-1", everything, notYet)).containsExactly("d-1");
        }
        assertThat(routed.list(all, T0.minusMillis(1))).as("before the history begins").isEmpty();
        assertThat(routed.list(query("c-2", Set.of(), Map.of(), null), T0.plusSeconds(30))).isEmpty();
    }

    /** Prints how long the list of the past takes at 10,000 documents of one tenant (BENCHMARKS.md). */
    @Test
    void tenThousandDocumentsOfOneTenant() throws SQLException {
        try (Connection connection = database.dataSource().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement events = connection.prepareStatement(INSERT_EVENT);
                 PreparedStatement states = connection.prepareStatement(INSERT_STATE)) {
                for (int i = 0; i < 10_000; i++) {
                    String documentId = "big-%05d".formatted(i);
                    Instant at = T0.plusSeconds(i);
                    add(events, documentId, 0, at, uploaded("c-big", documentId, "Title " + i,
                            Map.of("bucket", (long) (i % 100))));
                    add(events, documentId, 1, at.plusMillis(500), new DocumentVersionIndexed(documentId, "c-big", 1,
                            new IndexingStats(1, 2, 2, 0, 3, "m", Map.of("embed", 4L), 0, 0, 0, 0)));
                    state(states, "c-big", documentId, at);
                }
                events.executeBatch();
                states.executeBatch();
            }
            connection.commit();
        }
        List<Long> nanos = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long start = System.nanoTime();
            assertThat(past.list(query("c-big", Set.of(), Map.of("bucket", List.of(String.valueOf(i))), null),
                    T0.plusSeconds(20_000))).hasSize(50);
            nanos.add(System.nanoTime() - start);
        }
        List<Long> sorted = nanos.subList(2, nanos.size()).stream().sorted().toList();
        System.out.printf("document list as of an instant, 10,000 documents (20,000 events) of one tenant, first page "
                        + "of 50 filtered by metadata, 10 runs after 2 warm-ups: median %.0f ms, max %.0f ms%n",
                sorted.get(sorted.size() / 2) / 1e6, sorted.getLast() / 1e6);
    }

    private static final String INSERT_EVENT = """
            INSERT INTO domain_event_entry (aggregate_identifier, sequence_number, type, event_identifier, payload,
                                            payload_type, time_stamp)
            VALUES (?, ?, 'Document', ?, ?, ?, ?)""";
    private static final String INSERT_STATE = """
            INSERT INTO document_state (document_id, customer_id, latest_version, latest_sha256, updated_at)
            VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING""";

    private void store(String customerId, String documentId, long sequence, Instant at, Object payload)
            throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement events = connection.prepareStatement(INSERT_EVENT);
             PreparedStatement states = connection.prepareStatement(INSERT_STATE)) {
            add(events, documentId, sequence, at, payload);
            events.executeBatch();
            state(states, customerId, documentId, at);
            states.executeBatch();
        }
    }

    private static void add(PreparedStatement events, String documentId, long sequence, Instant at, Object payload)
            throws SQLException {
        events.setString(1, documentId);
        events.setLong(2, sequence);
        events.setString(3, UUID.randomUUID().toString());
        try {
            events.setBytes(4, EVENTS.writeValueAsBytes(payload));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        events.setString(5, payload.getClass().getName());
        events.setString(6, DateTimeUtils.formatInstant(at));
        events.addBatch();
    }

    private static void state(PreparedStatement states, String customerId, String documentId, Instant at)
            throws SQLException {
        states.setString(1, documentId);
        states.setString(2, customerId);
        states.setString(3, "a".repeat(64));
        states.setTimestamp(4, Timestamp.from(at));
        states.addBatch();
    }

    private static DocumentVersionUploaded uploaded(String customerId, String documentId, String title,
                                                    Map<String, Object> metadata) {
        return new DocumentVersionUploaded(documentId, customerId, 1, title, "text/plain", "k", "a".repeat(64), 10,
                IndexingSettings.PIPELINE_DEFAULTS, metadata);
    }

    private static DocumentQuery query(String customerId, Set<String> statuses, Map<String, List<String>> metadata,
                                       DocumentQuery.Position after) {
        return new DocumentQuery(customerId, statuses, Set.of(), null, null, null, null, null, metadata,
                DocumentFilter.EVERYTHING, DocumentQuery.Sort.UPDATED_AT, true, after, DocumentQuery.DEFAULT_LIMIT);
    }
}
