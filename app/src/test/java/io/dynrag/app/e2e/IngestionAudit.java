package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.verify.StoredEventHistory;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.vectorstore.LanceChunkStore;
import io.dynrag.vectorstore.dataset.ChunkRow;
import org.awaitility.core.ConditionTimeoutException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the fault suites check once their faults are over, the same for a killed pipeline and for
 * a server outage: every document of the customer indexed exactly once, as the event store, the
 * Lance dataset, {@code dynrag verify} and the usage read model each tell it. The figures are
 * printed as a table, as docs/development.md records them.
 */
final class IngestionAudit {

    private static final String MODEL = "all-minilm-l6-v2";
    /** How long, in all, the documents' views may take to show what the event store already holds. */
    private static final Duration READ_MODEL_PATIENCE = Duration.ofSeconds(60);

    private IngestionAudit() {
    }

    /** A fault scenario: how many rounds, with how many faults injected, since when. */
    record Scenario(String name, int rounds, int faults, long startedNanos) {
    }

    /**
     * @param credential the customer's API key or access token
     * @param documents  the customer's documents, each uploaded once (version 1)
     */
    static Figures audit(Scenario scenario, ApiClient api, VerifyCommand.Servers servers, String customerId,
                         String credential, List<String> documents) {
        List<String> problems = new ArrayList<>();
        int lost = 0;
        int failed = 0;
        int duplicateIndexedEvents = 0;
        long chunks = 0;
        long embeddedTokens = 0;
        try (HikariDataSource commandSchema = DataSources.pool(servers.jdbcUrl(), servers.jdbcUser(),
                servers.jdbcPassword(), Migrations.SCHEMA, 1)) {
            StoredEventHistory events = new StoredEventHistory(commandSchema);
            // The read model follows the event store through Kafka: a document just indexed may take a moment.
            long readModelDeadline = System.nanoTime() + READ_MODEL_PATIENCE.toNanos();
            for (String documentId : documents) {
                List<Object> history = events.eventsOf(documentId);
                List<DocumentVersionIndexed> indexed = history.stream().filter(DocumentVersionIndexed.class::isInstance)
                        .map(DocumentVersionIndexed.class::cast).toList();
                failed += (int) history.stream().filter(DocumentVersionFailed.class::isInstance).count();
                if (indexed.isEmpty()) {
                    lost++;
                    problems.add("document " + documentId + " has no DocumentVersionIndexed event");
                    continue;
                }
                if (indexed.size() > 1) {
                    duplicateIndexedEvents += indexed.size() - 1;
                    problems.add("document " + documentId + " has " + indexed.size() + " DocumentVersionIndexed events");
                }
                chunks += indexed.getFirst().stats().chunks();
                embeddedTokens += indexed.getFirst().stats().embeddedTokens();
                JsonNode view = viewOnceProjected(api, credential, documentId, readModelDeadline);
                if (!"INDEXED".equals(view.get("status").asText()) || view.get("version").asInt() != 1) {
                    lost++;
                    problems.add("document " + documentId + " is " + view);
                }
            }
        }

        int duplicatedChunks = 0;
        int rowCountMismatches = 0;
        long rows;
        try (LanceChunkStore lance = new LanceChunkStore(servers.lance())) {
            rows = lance.rowCount(customerId, MODEL);
            for (String documentId : documents) {
                Set<Integer> indexes = new HashSet<>();
                for (ChunkRow row : lance.documentRows(customerId, MODEL, documentId)) {
                    if (!indexes.add(row.chunkIndex())) {
                        duplicatedChunks++;
                        problems.add("document " + documentId + " has chunk " + row.chunkIndex() + " twice");
                    }
                }
            }
        }
        if (rows != chunks) {
            rowCountMismatches++;
            problems.add("the dataset holds " + rows + " rows, the indexed events recorded " + chunks + " chunks");
        }

        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int verifyStatus = VerifyCommand.verify(servers, customerId, new PrintStream(report, true, StandardCharsets.UTF_8));
        report.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("DISCREPANCY") || line.startsWith("NOTE")).forEach(problems::add);

        int usageMismatches = 0;
        String range = "from=" + LocalDate.now(ZoneOffset.UTC).minusDays(1) + "&to=" + LocalDate.now(ZoneOffset.UTC);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(
                    () -> api.get("/v1/usage?" + range, credential).json().get("total"),
                    total -> total.get("documentsIndexed").asLong() >= documents.size());
        } catch (ConditionTimeoutException e) {
            problems.add("usage never counted " + documents.size() + " indexed documents");
        }
        JsonNode total = api.get("/v1/usage?" + range, credential).json().get("total");
        Map<String, long[]> usage = new TreeMap<>(Map.of(
                "documentsUploaded", new long[]{total.get("documentsUploaded").asLong(), documents.size()},
                "documentsIndexed", new long[]{total.get("documentsIndexed").asLong(), documents.size()},
                "documentsFailed", new long[]{total.get("documentsFailed").asLong(), 0},
                "chunks", new long[]{total.get("chunks").asLong(), chunks},
                "embeddedTokens", new long[]{total.get("embeddedTokens").asLong(), embeddedTokens}));
        for (Map.Entry<String, long[]> figure : usage.entrySet()) {
            if (figure.getValue()[0] != figure.getValue()[1]) {
                usageMismatches++;
                problems.add("usage " + figure.getKey() + " is " + figure.getValue()[0] + ", the events say "
                        + figure.getValue()[1]);
            }
        }

        Figures figures = new Figures(scenario, documents.size(), lost, failed, duplicatedChunks,
                duplicateIndexedEvents, rowCountMismatches, usageMismatches, verifyStatus, rows,
                (System.nanoTime() - scenario.startedNanos()) / 1e9, problems);
        System.out.println(figures.table());
        return figures;
    }

    /** The document as the API shows it, once it shows version 1 indexed or the deadline has passed. */
    private static JsonNode viewOnceProjected(ApiClient api, String credential, String documentId, long deadline) {
        while (true) {
            JsonNode view = api.get("/v1/documents/" + documentId, credential).json();
            boolean indexed = "INDEXED".equals(view.get("status").asText()) && view.get("version").asInt() == 1;
            if (indexed || System.nanoTime() > deadline) {
                return view;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return view;
            }
        }
    }

    /** The customer's documents whose latest version has a DocumentVersionIndexed event. */
    static long indexedDocuments(HikariDataSource commandSchema, String customerId) {
        try (var connection = commandSchema.getConnection();
             var statement = connection.prepareStatement("SELECT count(DISTINCT e.aggregate_identifier) "
                     + "FROM domain_event_entry e JOIN document_state d ON d.document_id = e.aggregate_identifier "
                     + "WHERE d.customer_id = ? AND e.payload_type LIKE '%DocumentVersionIndexed'")) {
            statement.setString(1, customerId);
            try (var result = statement.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    record Figures(Scenario scenario, int documents, int lost, int failed, int duplicatedChunks,
                   int duplicateIndexedEvents, int rowCountMismatches, int usageMismatches, int verifyStatus,
                   long rows, double seconds, List<String> problems) {

        String table() {
            return String.format(Locale.ROOT, """
                    Fault tolerance: %s
                    | rounds | documents | faults | lost | failed | duplicated chunks | duplicate indexed events | row-count mismatches | usage mismatches | verify | Lance rows | seconds |
                    |---|---|---|---|---|---|---|---|---|---|---|---|
                    | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s | %d | %.0f |
                    """, scenario.name(), scenario.rounds(), documents, scenario.faults(), lost, failed,
                    duplicatedChunks, duplicateIndexedEvents, rowCountMismatches, usageMismatches,
                    verifyStatus == 0 ? "clean" : "exit " + verifyStatus, rows, seconds)
                    + String.join("\n", problems);
        }

        void assertNothingLostOrDuplicated() {
            assertThat(problems).as(table()).isEmpty();
            assertThat(verifyStatus).as(table()).isZero();
            assertThat(List.of(lost, failed, duplicatedChunks, duplicateIndexedEvents, rowCountMismatches,
                    usageMismatches)).as(table()).containsOnly(0);
        }
    }
}
