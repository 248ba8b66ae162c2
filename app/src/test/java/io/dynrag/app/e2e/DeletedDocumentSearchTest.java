package io.dynrag.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delete means not found: once a document is deleted no search returns it, in any mode, as of an instant before
 * the deletion or within one of its versions (answered like a search within an unknown document), while its
 * audit trail keeps what happened and another tenant's searches are untouched.
 */
@Tag("e2e")
class DeletedDocumentSearchTest {

    private static final List<String> MODES = List.of("hybrid", "vector", "keyword");
    private static final String QUERY = "harbour pilot boarding at high tide";
    private static final int TOP_K = 3;

    private TestSystem system;
    private ApiClient api;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
        api = system.api();
    }

    @Test
    void aDeletedDocumentIsFoundByNoSearchOfNowThePastOrItsVersions() {
        String key = system.registerCustomer("Deleting Harbour Board");
        String neighbour = system.registerCustomer("Neighbouring Harbour Board");
        String doomed = system.uploadDocument(key, "pilots.txt", "The harbour pilot boards every ship at high tide "
                + "from the pilot boat; boarding at high tide keeps the channel clear of the sand bar.");
        List<String> kept = new ArrayList<>();
        for (String text : List.of(
                "Harbour pilot duties: a pilot boards inbound ships at the breakwater, at high tide or low.",
                "Tide tables for the harbour: high tide comes twice a day, a little later each day.",
                "Boarding a ship from the pilot boat needs a ladder rigged on the lee side, in any tide.",
                "The harbour master assigns each pilot a ship and records the tide at boarding.")) {
            kept.add(system.uploadDocument(key, "kept-" + kept.size() + ".txt", text));
        }
        String neighbours = system.uploadDocument(neighbour, "pilots.txt", "The harbour pilot boards at high tide.");
        system.awaitStatus(key, doomed, "INDEXED");
        kept.forEach(id -> system.awaitStatus(key, id, "INDEXED"));
        system.awaitStatus(neighbour, neighbours, "INDEXED");

        Instant beforeDeletion = Instant.now();
        for (String mode : MODES) {
            assertThat(documentIds(search(key, mode, ""))).as(mode).contains(doomed);
        }
        assertThat(search(key, "hybrid", ", \"documentId\": \"" + doomed + "\", \"version\": 1")).isNotEmpty();

        ApiClient.Response deleted = api.delete("/v1/documents/" + doomed, key);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);

        for (String mode : MODES) {
            for (String when : List.of("", ", \"asOf\": \"" + beforeDeletion + "\"")) {
                List<JsonNode> hits = search(key, mode, when);
                assertThat(documentIds(hits)).as(mode + when).doesNotContain(doomed);
                assertThat(hits).as("the deleted document's rows are no candidates: still " + TOP_K + " hits, "
                        + mode + when).hasSize(TOP_K);
            }
            for (String within : List.of("", ", \"version\": 1", ", \"asOf\": \"" + beforeDeletion + "\"")) {
                ApiClient.Response scoped = searchResponse(key, mode,
                        ", \"documentId\": \"" + doomed + "\"" + within);
                ApiClient.Response unknown = searchResponse(key, mode,
                        ", \"documentId\": \"00000000-0000-4000-8000-000000000000\"" + within);
                TestSystem.assertProblem(scoped, 404);
                assertThat(scoped.json().get("title")).as("answered like an unknown document")
                        .isEqualTo(unknown.json().get("title"));
                assertThat(unknown.status()).isEqualTo(404);
            }
            assertThat(documentIds(search(neighbour, mode, ""))).as("another tenant's " + mode)
                    .containsExactly(neighbours);
            assertThat(documentIds(search(neighbour, mode, ", \"asOf\": \"" + beforeDeletion + "\"")))
                    .as("another tenant's past, " + mode).containsExactly(neighbours);
        }

        assertThat(api.get("/v1/documents/" + doomed, key).json().get("status").asText()).isEqualTo("DELETED");
        JsonNode trail = api.get("/v1/audit/events?documentId=" + doomed, key).json().get("events");
        assertThat(trail.findValuesAsText("type")).as("the audit trail still tells what happened")
                .contains("DocumentVersionUploaded", "DocumentVersionIndexed", "DocumentDeleted");
    }

    private List<JsonNode> search(String key, String mode, String moreFields) {
        ApiClient.Response response = searchResponse(key, mode, moreFields);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        List<JsonNode> hits = new ArrayList<>();
        response.json().get("results").forEach(hits::add);
        return hits;
    }

    private ApiClient.Response searchResponse(String key, String mode, String moreFields) {
        return api.postJson("/v1/search", key, "{\"query\": \"" + QUERY + "\", \"topK\": " + TOP_K
                + ", \"mode\": \"" + mode + "\"" + moreFields + "}");
    }

    private static List<String> documentIds(List<JsonNode> hits) {
        return hits.stream().map(hit -> hit.get("documentId").asText()).distinct().toList();
    }
}
