package io.dynrag.projections.document;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.DocumentQuery;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.FilterParser;
import io.dynrag.projections.Projections;
import io.dynrag.projections.testing.ReadModelDatabase;
import io.dynrag.projections.testing.TopicRecords;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The document list of the documents catalogue: filters, orders and keyset pages, on a real PostgreSQL. */
class DocumentListTest {

    private static final String CUSTOMER = "c-1";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    private final DocumentsProjection projection = new DocumentsProjection();
    private final TopicRecords topics = new TopicRecords();
    private DataSource database;
    private DocumentCatalog catalog;

    @BeforeEach
    void documents() {
        database = ReadModelDatabase.get().emptySchema(Projections.SCHEMA);
        catalog = new DocumentCatalog(database);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        // d-1..d-4 created a minute apart; d-2 changes last; d-4 is deleted; another tenant's d-9.
        records.add(upload(CUSTOMER, "d-1", 0, T0, "Beta notes", "text/plain", 10,
                Map.of("team", "search", "year", 2024L, "tags", List.of("moon", "sea"))));
        records.add(upload(CUSTOMER, "d-2", 0, T0.plusSeconds(60), "Alpha guide", "text/markdown", 20,
                Map.of("team", "docs", "draft", true)));
        records.add(upload(CUSTOMER, "d-3", 0, T0.plusSeconds(120), "Alpha manual", "application/pdf", 30,
                Map.of("team", "search", "year", "2024")));
        records.add(upload(CUSTOMER, "d-4", 0, T0.plusSeconds(180), "Gamma", "text/plain", 40, Map.of()));
        records.add(topics.document(CUSTOMER, "d-4", 1, T0.plusSeconds(200), DocumentDeleted.newBuilder()
                .setLastVersion(1).build()));
        records.add(topics.document(CUSTOMER, "d-2", 1, T0.plusSeconds(300), DocumentIngestionStarted.newBuilder()
                .setVersion(1).build()));
        records.add(upload("c-2", "d-9", 0, T0, "Alpha foreign", "text/plain", 50, Map.of("team", "search")));
        ReadModelDatabase.apply(database, projection, records);
    }

    @Test
    void newestChangeFirstWithoutDeletedDocumentsByDefault() {
        assertThat(ids(query())).containsExactly("d-2", "d-3", "d-1");
        DocumentRow first = catalog.list(query().build()).getFirst();
        assertThat(first.status()).isEqualTo("PROCESSING");
        assertThat(first.createdAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(first.updatedAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(first.metadata()).isEqualTo(Map.of("team", "docs", "draft", true));
        assertThat(first.bytes()).isEqualTo(20);
    }

    @Test
    void eachFilterSelects() {
        assertThat(ids(query().statuses(Set.of("DELETED")))).containsExactly("d-4");
        assertThat(ids(query().statuses(Set.of("PENDING", "PROCESSING")))).containsExactly("d-2", "d-3", "d-1");
        assertThat(ids(query().contentTypes(Set.of("text/plain", "application/pdf")))).containsExactly("d-3", "d-1");
        assertThat(ids(query().created(T0.plusSeconds(60), T0.plusSeconds(120)))).containsExactly("d-2");
        assertThat(ids(query().updated(T0.plusSeconds(120), null))).containsExactly("d-2", "d-3");
        assertThat(ids(query().titlePrefix("Alpha"))).containsExactly("d-2", "d-3");
        assertThat(ids(query().titlePrefix("alpha"))).isEmpty();
        assertThat(ids(query().metadata(Map.of("team", List.of("search"))))).containsExactly("d-3", "d-1");
        assertThat(ids(query().metadata(Map.of("year", List.of("2024"))))).as("the number and the string")
                .containsExactly("d-3", "d-1");
        assertThat(ids(query().metadata(Map.of("tags", List.of("sea"))))).as("a list holding it").containsExactly("d-1");
        assertThat(ids(query().metadata(Map.of("draft", List.of("true"))))).containsExactly("d-2");
        assertThat(ids(query().metadata(Map.of("team", List.of("docs", "search"), "year", List.of("2024")))))
                .containsExactly("d-3", "d-1");
        assertThat(ids(query().metadata(Map.of("team", List.of("nobody"))))).isEmpty();
    }

    @Test
    void aFilterSelectsWithTheOtherParameters() throws Exception {
        DocumentFilter filter = FilterParser.parse(new ObjectMapper().readValue(
                "{\"$or\": [{\"metadata.year\": {\"$gte\": 2024}}, {\"metadata.draft\": true}]}", Object.class),
                0, "");
        assertThat(catalog.list(query().build(filter))).extracting(DocumentRow::documentId).containsExactly("d-2", "d-1");
        assertThat(catalog.list(query().titlePrefix("Alpha").build(filter))).extracting(DocumentRow::documentId)
                .containsExactly("d-2");
    }

    @Test
    void everyOrderPagesByPositionWithoutGapsOrRepeats() {
        for (DocumentQuery.Sort sort : DocumentQuery.Sort.values()) {
            for (boolean descending : new boolean[]{true, false}) {
                Query all = query().statuses(Set.of("PENDING", "PROCESSING", "DELETED")).sort(sort, descending);
                List<String> whole = ids(all);
                assertThat(whole).hasSize(4);
                List<String> paged = new ArrayList<>();
                DocumentQuery.Position after = null;
                do {
                    List<DocumentRow> page = catalog.list(all.page(after, 1).build());
                    page.forEach(row -> paged.add(row.documentId()));
                    DocumentRow last = page.isEmpty() ? null : page.getLast();
                    after = last == null ? null : new DocumentQuery.Position(switch (sort) {
                        case UPDATED_AT -> last.updatedAt().toString();
                        case CREATED_AT -> last.createdAt().toString();
                        case TITLE -> last.title();
                    }, last.documentId());
                } while (after != null);
                assertThat(paged).as(sort + (descending ? " desc" : " asc")).isEqualTo(whole);
            }
        }
        assertThat(ids(query().sort(DocumentQuery.Sort.TITLE, false))).containsExactly("d-2", "d-3", "d-1");
        assertThat(ids(query().sort(DocumentQuery.Sort.CREATED_AT, false))).containsExactly("d-1", "d-2", "d-3");
    }

    @Test
    void anotherTenantsDocumentsNeverAppear() {
        assertThat(ids(query().titlePrefix("Alpha"))).doesNotContain("d-9");
        assertThat(ids(new Query("c-3"))).isEmpty();
    }

    /** Prints how long a page takes at 10,000 documents of one tenant (BENCHMARKS.md); asserts only the answers. */
    @Test
    void tenThousandDocumentsOfOneTenant() throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO document (document_id, customer_id, title, content_type, bytes, version, status,
                                           last_sequence, updated_at, created_at, metadata, metadata_terms)
                     VALUES (?, 'c-big', ?, 'text/plain', 100, 1, 'INDEXED', 0, ?, ?, CAST(? AS JSONB),
                             ARRAY[?])""")) {
            for (int i = 0; i < 10_000; i++) {
                Timestamp at = Timestamp.from(T0.plusSeconds(i));
                insert.setString(1, "big-%05d".formatted(i));
                insert.setString(2, "Title %05d".formatted(i));
                insert.setTimestamp(3, at);
                insert.setTimestamp(4, at);
                insert.setString(5, "{\"bucket\": " + (i % 100) + "}");
                insert.setString(6, "bucket=" + (i % 100));
                insert.addBatch();
            }
            insert.executeBatch();
            connection.createStatement().execute("ANALYZE document");
        }
        Query big = new Query("c-big");
        for (int i = 0; i < 20; i++) {
            catalog.list(big.page(null, DocumentQuery.MAX_LIMIT).build());
            catalog.list(big.metadata(Map.of("bucket", List.of(String.valueOf(i)))).page(null, 50).build());
        }
        List<Long> pages = new ArrayList<>();
        DocumentQuery.Position after = null;
        int seen = 0;
        for (int page = 0; page < 50; page++) {
            long start = System.nanoTime();
            List<DocumentRow> rows = catalog.list(big.page(after, DocumentQuery.MAX_LIMIT).build());
            pages.add(System.nanoTime() - start);
            seen += rows.size();
            after = new DocumentQuery.Position(rows.getLast().updatedAt().toString(), rows.getLast().documentId());
        }
        assertThat(seen).isEqualTo(10_000);
        assertThat(after.documentId()).isEqualTo("big-00000");
        List<Long> filtered = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long start = System.nanoTime();
            assertThat(catalog.list(big.metadata(Map.of("bucket", List.of(String.valueOf(i)))).titlePrefix("Title")
                    .page(null, 50).build())).hasSize(50);
            filtered.add(System.nanoTime() - start);
        }
        System.out.println("document list, 10,000 documents of one tenant: every page of 200 by updatedAt "
                + percentiles(pages) + "; first page of 50 filtered by metadata and title prefix " + percentiles(filtered));
        pastOfTenThousandDocuments(big);
    }

    /**
     * The same tenant's history: each document uploaded (PENDING), then PROCESSING 200 ms later and INDEXED 300 ms
     * after that, a second apart, so 30,000 states; asked as of an instant after the last (every page of 200), as of
     * one in the middle (while half existed, the one document then being processed in between) and for the ids a
     * filter kept.
     */
    private void pastOfTenThousandDocuments(Query big) throws SQLException {
        try (Connection connection = database.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO document_history (document_id, sequence, customer_id, title, content_type, bytes,
                                                   version, status, metadata, metadata_terms, metadata_instants,
                                                   created_at, updated_at, valid_from, valid_to)
                     SELECT 'big-' || lpad(i::text, 5, '0'), s.sequence, 'c-big', 'Title ' || lpad(i::text, 5, '0'),
                            'text/plain', 100, 1, s.status, jsonb_build_object('bucket', i % 100),
                            ARRAY['bucket=' || (i % 100)], '{}', t.created, t.created + s.began, t.created + s.began,
                            t.created + s.ended
                     FROM generate_series(0, 9999) i
                     CROSS JOIN LATERAL (SELECT CAST(? AS TIMESTAMPTZ) + make_interval(secs => i) AS created) t
                     CROSS JOIN (VALUES (0, 'PENDING', INTERVAL '0 ms', INTERVAL '200 ms'),
                                        (1, 'PROCESSING', INTERVAL '200 ms', INTERVAL '500 ms'),
                                        (2, 'INDEXED', INTERVAL '500 ms', NULL)) s(sequence, status, began, ended)""")) {
            insert.setTimestamp(1, Timestamp.from(T0));
            insert.executeUpdate();
            connection.createStatement().execute("ANALYZE document_history");
        }
        Instant after = T0.plusSeconds(20_000);
        Instant middle = T0.plusMillis(5_000_300);
        for (int i = 0; i < 20; i++) {
            catalog.listAsOf(big.page(null, DocumentQuery.MAX_LIMIT).build(), after);
            catalog.matchingAsOf("c-big", bucket(i), after);
        }
        List<Long> pages = new ArrayList<>();
        DocumentQuery.Position position = null;
        int seen = 0;
        for (int page = 0; page < 50; page++) {
            long start = System.nanoTime();
            List<DocumentRow> rows = catalog.listAsOf(big.page(position, DocumentQuery.MAX_LIMIT).build(), after);
            pages.add(System.nanoTime() - start);
            seen += rows.size();
            position = new DocumentQuery.Position(rows.getLast().updatedAt().toString(), rows.getLast().documentId());
        }
        assertThat(seen).isEqualTo(10_000);
        List<Long> filtered = new ArrayList<>();
        List<Long> middlePages = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<Long> broad = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            long start = System.nanoTime();
            assertThat(catalog.listAsOf(big.metadata(Map.of("bucket", List.of(String.valueOf(i)))).titlePrefix("Title")
                    .page(null, 50).build(), after)).hasSize(50);
            filtered.add(System.nanoTime() - start);
            start = System.nanoTime();
            List<DocumentRow> then = catalog.listAsOf(big.page(null, 50).build(), middle);
            middlePages.add(System.nanoTime() - start);
            assertThat(then.getFirst()).satisfies(row -> assertThat(row.documentId()).isEqualTo("big-05000"))
                    .satisfies(row -> assertThat(row.status()).isEqualTo("PROCESSING"));
            start = System.nanoTime();
            assertThat(catalog.matchingAsOf("c-big", bucket(i), after)).hasSize(100);
            ids.add(System.nanoTime() - start);
            if (i < 20) {
                start = System.nanoTime();
                assertThat(catalog.matchingAsOf("c-big", parse("{\"metadata.bucket\": {\"$gte\": 0}}"), middle))
                        .hasSize(5_001);
                broad.add(System.nanoTime() - start);
            }
        }
        System.out.println("document list as of an instant, the same 10,000 documents with 30,000 states: every page "
                + "of 200 by updatedAt " + percentiles(pages) + "; first page of 50 filtered by metadata and title "
                + "prefix " + percentiles(filtered) + "; first page of 50 while half existed " + percentiles(middlePages)
                + "; ids a metadata filter kept (100) " + percentiles(ids) + "; ids a filter kept (5,001 of them) "
                + percentiles(broad));
    }

    private static DocumentFilter bucket(int bucket) {
        return parse("{\"metadata.bucket\": " + bucket + "}");
    }

    private static DocumentFilter parse(String json) {
        try {
            return FilterParser.parse(new ObjectMapper().readValue(json, Object.class), json.length(), "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String percentiles(List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted().toList();
        return "p50 %.1f ms, p99 %.1f ms".formatted(sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1e6);
    }

    private ConsumerRecord<String, byte[]> upload(String customerId, String documentId, long sequence, Instant at,
                                                  String title, String contentType, long bytes,
                                                  Map<String, Object> metadata) {
        return topics.document(customerId, documentId, sequence, at, DocumentVersionUploaded.newBuilder().setVersion(1)
                .setTitle(title).setContentType(contentType).setS3Key("k").setSha256("ab".repeat(32))
                .setBytes(bytes).setMetadata(metadata).build());
    }

    private List<String> ids(Query query) {
        return catalog.list(query.build()).stream().map(DocumentRow::documentId).toList();
    }

    private static Query query() {
        return new Query(CUSTOMER);
    }

    /** A query built step by step; each step returns a changed copy. */
    private record Query(String customerId, Set<String> statuses, Set<String> contentTypes, Instant createdFrom,
                         Instant createdTo, Instant updatedFrom, Instant updatedTo, String titlePrefix,
                         Map<String, List<String>> metadata, DocumentQuery.Sort sort, boolean descending,
                         DocumentQuery.Position after, int limit) {

        Query(String customerId) {
            this(customerId, Set.of(), Set.of(), null, null, null, null, null, Map.of(),
                    DocumentQuery.Sort.UPDATED_AT, true, null, DocumentQuery.MAX_LIMIT);
        }

        Query statuses(Set<String> to) {
            return new Query(customerId, to, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, after, limit);
        }

        Query contentTypes(Set<String> to) {
            return new Query(customerId, statuses, to, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, after, limit);
        }

        Query created(Instant from, Instant to) {
            return new Query(customerId, statuses, contentTypes, from, to, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, after, limit);
        }

        Query updated(Instant from, Instant to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, from, to,
                    titlePrefix, metadata, sort, descending, after, limit);
        }

        Query titlePrefix(String to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    to, metadata, sort, descending, after, limit);
        }

        Query metadata(Map<String, List<String>> to) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, to, sort, descending, after, limit);
        }

        Query sort(DocumentQuery.Sort to, boolean inDescendingOrder) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, to, inDescendingOrder, after, limit);
        }

        Query page(DocumentQuery.Position from, int size) {
            return new Query(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom, updatedTo,
                    titlePrefix, metadata, sort, descending, from, size);
        }

        DocumentQuery build() {
            return build(DocumentFilter.EVERYTHING);
        }

        DocumentQuery build(DocumentFilter filter) {
            return new DocumentQuery(customerId, statuses, contentTypes, createdFrom, createdTo, updatedFrom,
                    updatedTo, titlePrefix, metadata, filter, sort, descending, after, limit);
        }
    }
}
