package io.dynrag.projections.document;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.document.filter.DocumentFilter;
import io.dynrag.domain.document.filter.FilterParser;
import io.dynrag.projections.Projections;
import io.dynrag.projections.testing.ReadModelDatabase;
import io.dynrag.projections.testing.TopicRecords;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ways a filter is evaluated keep the same documents: the read model's SQL (searches of now) and
 * {@link DocumentFilter#matches} over documents rebuilt from their events (searches of the past), on one table of
 * cases covering every operator, lists, 1 against 1.0, dates against instants, missing keys and nesting.
 */
class FilterAgreementTest {

    private static final String CUSTOMER = "c-1";
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A document as uploaded; {@code updatedAt} after {@code createdAt} means a later event changed it. */
    private record Uploaded(String customerId, String id, String title, String contentType, Instant createdAt,
                            Instant updatedAt, Map<String, Object> metadata, boolean deleted) {
    }

    private static final List<Uploaded> DOCUMENTS = List.of(
            new Uploaded(CUSTOMER, "d-1", "Alpha", "text/plain", T0, T0, metadata("team", "search", "year", 2024L,
                    "tags", List.of("a", "b"), "published", "2026-01-02", "reviewed", true, "ratio", 1.0), false),
            new Uploaded(CUSTOMER, "d-2", "Beta", "text/markdown", T0.plusSeconds(60), T0.plusSeconds(300),
                    metadata("team", "docs", "year", "2024", "tags", List.of("b"),
                            "published", "2026-01-02T10:00:00+01:00", "ratio", 1.5), false),
            new Uploaded(CUSTOMER, "d-3", "Gamma", "application/pdf", T0.plusSeconds(120), T0.plusSeconds(120),
                    metadata("team", "search", "year", 2021L, "published", "not a date", "ratio", 1L), false),
            new Uploaded(CUSTOMER, "d-4", "Delta", "text/plain", T0.plusSeconds(180), T0.plusSeconds(180),
                    metadata(), false),
            new Uploaded(CUSTOMER, "d-5", "Epsilon", "text/plain", T0.plusSeconds(240), T0.plusSeconds(240),
                    metadata("year", 2030L, "published", "2026-02-30"), false),
            new Uploaded(CUSTOMER, "d-6", "Zeta", "text/plain", T0.plusSeconds(250), T0.plusSeconds(260),
                    metadata("team", "search"), true),
            new Uploaded("c-2", "d-9", "Alpha", "text/plain", T0, T0, metadata("team", "search"), false));

    /** Each filter and the documents it keeps. */
    private static final Map<String, String> CASES = cases(
            "{}", "d-1 d-2 d-3 d-4 d-5",
            "{\"metadata.team\": \"search\"}", "d-1 d-3",
            "{\"metadata.year\": 2024}", "d-1",
            "{\"metadata.year\": \"2024\"}", "d-2",
            "{\"metadata.ratio\": 1}", "d-1 d-3",
            "{\"metadata.ratio\": {\"$eq\": 1.0}}", "d-1 d-3",
            "{\"metadata.tags\": \"b\"}", "d-1 d-2",
            "{\"metadata.tags\": {\"$in\": [\"a\", \"z\"]}}", "d-1",
            "{\"metadata.tags\": {\"$nin\": [\"a\"]}}", "d-2 d-3 d-4 d-5",
            "{\"metadata.team\": {\"$ne\": \"search\"}}", "d-2 d-4 d-5",
            "{\"metadata.team\": {\"$in\": []}}", "",
            "{\"metadata.missing\": {\"$nin\": []}}", "d-1 d-2 d-3 d-4 d-5",
            "{\"metadata.reviewed\": true}", "d-1",
            "{\"metadata.reviewed\": \"true\"}", "",
            "{\"metadata.reviewed\": {\"$exists\": true}}", "d-1",
            "{\"metadata.reviewed\": {\"$exists\": false}}", "d-2 d-3 d-4 d-5",
            "{\"metadata.year\": {\"$gte\": 2021, \"$lt\": 2030}}", "d-1 d-3",
            "{\"metadata.year\": {\"$gt\": 2000}}", "d-1 d-3 d-5",
            "{\"metadata.ratio\": {\"$gt\": 1}}", "d-2",
            "{\"metadata.ratio\": {\"$lte\": 1.0}}", "d-1 d-3",
            "{\"metadata.published\": {\"$gte\": \"2026-01-02\"}}", "d-1 d-2",
            "{\"metadata.published\": {\"$gt\": \"2026-01-02T00:00:00Z\"}}", "d-2",
            "{\"metadata.published\": {\"$lt\": \"2026-01-02T09:00:00.000000001Z\"}}", "d-1 d-2",
            "{\"metadata.published\": {\"$lte\": \"2026-01-02T08:59:59.999Z\"}}", "d-1",
            "{\"metadata.year\": {\"$gte\": \"2020-01-01\"}}", "",
            "{\"metadata.tags\": {\"$gte\": 0}}", "",
            "{\"createdAt\": {\"$gte\": \"2026-03-01T10:01:00Z\"}}", "d-2 d-3 d-4 d-5",
            "{\"createdAt\": {\"$lt\": \"2026-03-02\"}}", "d-1 d-2 d-3 d-4 d-5",
            "{\"updatedAt\": {\"$gte\": \"2026-03-01T11:05:00+01:00\"}}", "d-2",
            "{\"contentType\": {\"$in\": [\"text/plain\", \"application/pdf\"]}}", "d-1 d-3 d-4 d-5",
            "{\"title\": {\"$ne\": \"Alpha\"}}", "d-2 d-3 d-4 d-5",
            "{\"documentId\": {\"$nin\": [\"d-1\", \"d-2\"]}}", "d-3 d-4 d-5",
            "{\"documentId\": \"d-6\"}", "",
            "{\"documentId\": \"d-9\"}", "",
            "{\"$or\": [{\"metadata.team\": \"docs\"}, {\"metadata.year\": {\"$lt\": 2022}}]}", "d-2 d-3",
            "{\"$and\": [{\"metadata.team\": \"search\"}, {\"$or\": [{\"metadata.tags\": \"a\"}, "
                    + "{\"metadata.ratio\": {\"$gte\": 1}}]}], \"contentType\": \"text/plain\"}", "d-1",
            "{\"$or\": [{\"metadata.year\": {\"$exists\": false}}, {\"metadata.year\": {\"$ne\": 2024}}]}",
            "d-2 d-3 d-4 d-5",
            "{\"metadata.team\": {\"$in\": [\"search\", \"docs\"], \"$ne\": \"docs\"}}", "d-1 d-3",
            "{\"$or\": [{\"$and\": [{\"$or\": [{\"$and\": [{\"title\": \"Delta\"}]}]}]}, {\"title\": \"Beta\"}]}",
            "d-2 d-4");

    @Test
    void theReadModelsSqlAndTheEventsEvaluationKeepTheSameDocuments() throws Exception {
        var database = ReadModelDatabase.get().emptySchema(Projections.SCHEMA);
        ReadModelDatabase.apply(database, new DocumentsProjection(), records());
        DocumentCatalog catalog = new DocumentCatalog(database);
        for (Map.Entry<String, String> filterCase : CASES.entrySet()) {
            String json = filterCase.getKey();
            DocumentFilter filter = FilterParser.parse(JSON.readValue(json, Object.class), json.length(), "/filter");
            Set<String> fromSql = new TreeSet<>(catalog.matching(CUSTOMER, filter));
            Set<String> fromEvents = DOCUMENTS.stream()
                    .filter(document -> document.customerId().equals(CUSTOMER) && !document.deleted())
                    .filter(document -> filter.matches(new DocumentFilter.FilteredDocument(document.id(),
                            document.contentType(), document.title(), document.createdAt(), document.updatedAt(),
                            document.metadata())))
                    .map(Uploaded::id)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(fromSql).as("SQL of " + json).isEqualTo(fromEvents);
            assertThat(String.join(" ", fromSql)).as(json).isEqualTo(filterCase.getValue());
        }
    }

    @Test
    void aDocumentsDescriptionsAreReadTogether() {
        var database = ReadModelDatabase.get().emptySchema(Projections.SCHEMA);
        ReadModelDatabase.apply(database, new DocumentsProjection(), records());
        List<DocumentRow> rows = new DocumentCatalog(database).findAll(CUSTOMER, List.of("d-1", "d-3", "d-9", "nope"));
        assertThat(rows).extracting(DocumentRow::documentId).containsExactlyInAnyOrder("d-1", "d-3");
        assertThat(rows).filteredOn(row -> row.documentId().equals("d-3")).singleElement()
                .satisfies(row -> assertThat(row.title()).isEqualTo("Gamma"));
    }

    private static List<ConsumerRecord<String, byte[]>> records() {
        TopicRecords topics = new TopicRecords();
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        for (Uploaded document : DOCUMENTS) {
            records.add(topics.document(document.customerId(), document.id(), 0, document.createdAt(),
                    DocumentVersionUploaded.newBuilder().setVersion(1).setTitle(document.title())
                            .setContentType(document.contentType()).setS3Key("k").setSha256("ab".repeat(32))
                            .setBytes(10).setMetadata(document.metadata()).build()));
            if (document.deleted()) {
                records.add(topics.document(document.customerId(), document.id(), 1, document.updatedAt(),
                        DocumentDeleted.newBuilder().setLastVersion(1).build()));
            } else if (document.updatedAt().isAfter(document.createdAt())) {
                records.add(topics.document(document.customerId(), document.id(), 1, document.updatedAt(),
                        DocumentIngestionStarted.newBuilder().setVersion(1).build()));
            }
        }
        return records;
    }

    private static Map<String, Object> metadata(Object... keysAndValues) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            metadata.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return metadata;
    }

    private static Map<String, String> cases(String... filtersAndIds) {
        Map<String, String> cases = new LinkedHashMap<>();
        for (int i = 0; i < filtersAndIds.length; i += 2) {
            cases.put(filtersAndIds[i], filtersAndIds[i + 1]);
        }
        return cases;
    }
}
