package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.dynrag.app.infra.EmbeddedInfra;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.schemas.DeadLetterHeaders;
import io.dynrag.schemas.Topics;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.vectorstore.LanceLocation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Documents made to hang or crash the pipeline hold up no one else's: a Markdown line on which a
 * heading regex backtracks for hours, and a PDF whose page tree nests deeper than the stack
 * reaches. Each is uploaded by one customer, right before another customer's ordinary document.
 * The system runs on servers of its own with a single stream thread, so the ordinary document
 * waits behind the hostile one unless the pipeline lets go of it, and with the shortest document
 * deadline (10 s). The ordinary document must be indexed within the usual indexing timeout; the
 * hostile one must end, indexed or failed with a reason (dead-lettered then), and leave nothing in
 * the customer's dataset that {@code dynrag verify} objects to.
 *
 * <p>CI uploads one hostile document of each kind; {@code -Ddynrag.hostile.documents=<n>} uploads
 * n, each followed by an ordinary one.
 */
@Tag("fault")
class HostileDocumentsTest {

    private static final int DOCUMENTS = Integer.getInteger("dynrag.hostile.documents", 1);
    private static final int MAX_UPLOAD_BYTES = 4 << 20;
    private static final int LONGEST_DOCUMENT_SECONDS = 10;
    /**
     * Page-tree levels. PDFBox recurses per level and overflows a thread's 1 MB stack at about 5,000
     * levels while it runs interpreted, at about 12,000 once the JIT has compiled it (smaller frames).
     */
    private static final int PAGE_TREE_LEVELS = 45_000;

    private static EmbeddedInfra infra;
    private static TestSystem system;

    @BeforeAll
    static void start() throws Exception {
        infra = EmbeddedInfra.start(Files.createTempDirectory("dynrag-hostile-documents-"));
        system = TestSystem.start(infra, Map.of(
                "DYNRAG_STREAM_THREADS", "1",
                "DYNRAG_LONGEST_DOCUMENT_SECONDS", Integer.toString(LONGEST_DOCUMENT_SECONDS),
                "DYNRAG_MAX_UPLOAD_BYTES", Integer.toString(MAX_UPLOAD_BYTES)));
    }

    @AfterAll
    static void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aMarkdownLineOnWhichTheHeadingRegexBacktracksHoldsUpNoOtherDocument() {
        // A heading, then a line of spaces up to the upload limit (4 MiB): a pattern of the form
        // "^#+[ \t]+(.+?)[ \t#]*$" tries every split of the spaces, 19 s for 60,000 of them.
        byte[] line = ("# a" + " ".repeat(MAX_UPLOAD_BYTES - 100) + "b").getBytes(StandardCharsets.UTF_8);

        List<JsonNode> hostile = uploadEachBeforeAnOrdinaryDocument("Backtracking Ltd", "line.md", line);

        for (JsonNode document : hostile) {
            if (document.get("status").asText().equals("FAILED")) {
                // Chunking the line takes linear time; where the deadline falls depends on the machine.
                assertThat(document.get("failureReason").asText()).as(document.toString()).matches(
                        "indexing took longer than the limit of " + LONGEST_DOCUMENT_SECONDS
                                + " seconds \\(in the (fetch|extract|chunk|embed) stage\\)");
            }
        }
    }

    @Test
    void aPdfWhosePageTreeOverflowsTheStackFailsWithAReasonAndHoldsUpNoOtherDocument() {
        byte[] pdf = deepPageTree(PAGE_TREE_LEVELS);
        assertThat(pdf.length).isLessThan(MAX_UPLOAD_BYTES);

        List<JsonNode> hostile = uploadEachBeforeAnOrdinaryDocument("Deep Pages Ltd", "deep.pdf", pdf);

        for (JsonNode document : hostile) {
            assertThat(document.get("status").asText()).as(document.toString()).isEqualTo("FAILED");
            assertThat(document.get("failureReason").asText())
                    .isEqualTo("the document could not be processed: it nests too deeply (StackOverflowError)");
        }
    }

    /**
     * Uploads the hostile file {@link #DOCUMENTS} times for a new customer, each time followed by an
     * ordinary document of another customer, which must be indexed within the usual timeout.
     *
     * @return the hostile documents once each has ended, indexed or failed; the failed ones are checked to
     *     be on the dead-letter topic, and the customer's stored data to agree with its events
     */
    private List<JsonNode> uploadEachBeforeAnOrdinaryDocument(String attackerName, String filename, byte[] file) {
        String[] attacker = system.registerCustomerWithId(attackerName);
        String bystander = system.registerCustomer("Bystander of " + attackerName);
        List<JsonNode> hostile = new ArrayList<>();
        for (int i = 0; i < DOCUMENTS; i++) {
            long uploaded = System.nanoTime();
            String hostileId = system.uploadDocument(attacker[1], filename, file);
            String ordinaryId = system.uploadDocument(bystander, "tides-" + i + ".md",
                    "# Tides\n\nThe moon pulls the ocean, raising tides twice a day.\n");

            system.awaitStatus(bystander, ordinaryId, "INDEXED");
            double ordinarySeconds = (System.nanoTime() - uploaded) / 1e9;
            JsonNode ended = awaitEnded(attacker[1], hostileId);
            hostile.add(ended);
            System.out.printf(Locale.ROOT, "Hostile document %s (%,d bytes): %s (%s); the ordinary document after "
                            + "it indexed %.1f s after both were uploaded%n", filename, file.length,
                    ended.get("status").asText(), ended.path("failureReason").asText("-"), ordinarySeconds);
        }
        List<String> deadLettered = deadLetteredDocuments();
        for (JsonNode document : hostile) {
            if (document.get("status").asText().equals("FAILED")) {
                assertThat(deadLettered).as("dead-lettered documents").contains(document.get("documentId").asText());
            }
        }
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int verified = VerifyCommand.verify(new VerifyCommand.Servers(infra.jdbcUrl(), infra.jdbcUser(),
                        infra.jdbcPassword(), infra.s3(), LanceLocation.local(system.lanceRoot())), attacker[0],
                new PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(verified).as(report.toString(StandardCharsets.UTF_8)).isZero();
        return hostile;
    }

    private static JsonNode awaitEnded(String credential, String documentId) {
        JsonNode[] last = {null};
        await().atMost(TestSystem.INDEXING_TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = system.api().get("/v1/documents/" + documentId, credential).json();
            return List.of("INDEXED", "FAILED").contains(last[0].get("status").asText());
        });
        return last[0];
    }

    /** The documents of the records on the dead-letter topic whose headers give a reason. */
    private static List<String> deadLetteredDocuments() {
        List<String> documents = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : system.topicRecords(Topics.INGESTION_DLQ.name())) {
            if (DeadLetterHeaders.errorMessage(record.headers()).filter(reason -> !reason.isBlank()).isPresent()) {
                DocumentEvent event = Topics.DOCUMENT_EVENTS.valueSerde().deserializer()
                        .deserialize(Topics.DOCUMENT_EVENTS.name(), record.value());
                documents.add(event.getDocumentId());
            }
        }
        return documents;
    }

    /**
     * A one-page PDF whose page sits under {@code levels} nested page-tree nodes, each with a single
     * kid, in a plain cross-reference table.
     */
    private static byte[] deepPageTree(int levels) {
        List<String> objects = new ArrayList<>();
        String content = "BT /F1 12 Tf 72 720 Td (A page at the bottom of a deep tree) Tj ET";
        objects.add("<< /Type /Catalog /Pages 2 0 R >>");
        objects.add("<< /Type /Pages /Kids [6 0 R] /Count 1 >>");
        objects.add("<< /Type /Page /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        objects.add("<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream");
        objects.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        for (int level = 0; level < levels; level++) {
            int kid = level + 1 < levels ? 7 + level : 3;
            objects.add("<< /Type /Pages /Kids [" + kid + " 0 R] /Count 1 >>");
        }
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(pdf.length());
            pdf.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        for (int offset : offsets) {
            pdf.append(String.format("%010d 00000 n \n", offset));
        }
        pdf.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
