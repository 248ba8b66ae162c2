package io.dynrag.app.e2e;

import io.dynrag.generated.client.ApiException;
import io.dynrag.generated.client.api.AdminApi;
import io.dynrag.generated.client.api.DocumentsApi;
import io.dynrag.generated.client.api.SearchApi;
import io.dynrag.generated.client.model.CreatedCustomer;
import io.dynrag.generated.client.model.CustomerRequest;
import io.dynrag.generated.client.model.Document;
import io.dynrag.generated.client.model.DocumentAccepted;
import io.dynrag.generated.client.model.SearchHit;
import io.dynrag.generated.client.model.SearchRequest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A customer's first steps through nothing but the Java client generated from docs/openapi.json at build time
 * (target/generated-test-sources/openapi): the contract alone is enough to build a client that works. The
 * generated code does no authentication of its own, so every request gets its bearer token from an interceptor,
 * as a user of the generated client would add it.
 */
@Tag("e2e")
class GeneratedClientSmokeTest {

    private static final String GUIDE = """
            # Fog signals

            The keeper of Skerry Rock winds the clockwork of the fog bell every four hours while the mist lies
            on the water, and logs each winding in the signal book.
            """;
    private static final EnumSet<Document.StatusEnum> UNDER_WAY =
            EnumSet.of(Document.StatusEnum.PENDING, Document.StatusEnum.PROCESSING);

    @Test
    void aCustomerCreatedUploadedPolledAndSearchedThroughTheGeneratedClient(@TempDir Path dir)
            throws ApiException, IOException {
        int port = TestSystem.shared().api().port();

        CreatedCustomer customer = new AdminApi(client(port, TestSystem.OPERATOR_TOKEN))
                .createCustomer(new CustomerRequest().name("Skerry Rock Lights"));
        assertThat(customer.getApiKey()).startsWith("drk_");
        io.dynrag.generated.client.ApiClient asCustomer = client(port, customer.getApiKey());

        Path guide = Files.writeString(dir.resolve("fog-signals.md"), GUIDE);
        DocumentsApi documents = new DocumentsApi(asCustomer);
        DocumentAccepted accepted = documents.uploadDocument(guide.toFile(), "Fog signals", null);
        String documentId = accepted.getDocumentId();
        assertThat(accepted.getVersion()).isEqualTo(1);

        Document indexed = await().atMost(TestSystem.INDEXING_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> documents.getDocument(documentId, null),
                        document -> !UNDER_WAY.contains(document.getStatus()));
        assertThat(indexed.getStatus()).as(indexed.getFailureReason()).isEqualTo(Document.StatusEnum.INDEXED);
        assertThat(indexed.getTitle()).isEqualTo("Fog signals");

        List<SearchHit> hits = new SearchApi(asCustomer)
                .search(new SearchRequest().query("winding the fog bell clockwork").topK(3))
                .getResults();
        assertThat(hits).isNotEmpty();
        assertThat(hits.getFirst().getDocumentId()).isEqualTo(documentId);
        assertThat(hits.getFirst().getText()).contains("winds the clockwork of the fog bell");
    }

    /** The generated client for the system under test, sending {@code bearer} with every request. */
    private static io.dynrag.generated.client.ApiClient client(int port, String bearer) {
        io.dynrag.generated.client.ApiClient client = new io.dynrag.generated.client.ApiClient();
        client.updateBaseUri("http://127.0.0.1:" + port);
        return client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + bearer));
    }
}
