package io.dynrag.schemas;

import io.dynrag.schemas.customer.CustomerEvent;
import io.dynrag.schemas.customer.BudgetThresholdReached;
import io.dynrag.schemas.customer.CustomerCeilingsChanged;
import io.dynrag.schemas.customer.CustomerConfiguration;
import io.dynrag.schemas.customer.CustomerConfigurationChanged;
import io.dynrag.schemas.customer.CustomerDeleted;
import io.dynrag.schemas.customer.CustomerReactivated;
import io.dynrag.schemas.customer.CustomerRegistered;
import io.dynrag.schemas.customer.CustomerSuspended;
import io.dynrag.schemas.customer.ProviderKeyChanged;
import io.dynrag.schemas.document.DocumentDeleted;
import io.dynrag.schemas.document.DocumentEvent;
import io.dynrag.schemas.document.DocumentRemovedFromIndex;
import io.dynrag.schemas.document.DocumentIngestionStarted;
import io.dynrag.schemas.document.DocumentVersionFailed;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.document.DocumentVersionUploaded;
import io.dynrag.schemas.ingestion.DocumentRemoved;
import io.dynrag.schemas.ingestion.IngestionFailed;
import io.dynrag.schemas.ingestion.IngestionResult;
import io.dynrag.schemas.ingestion.IngestionStarted;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One fully populated value of every payload and outcome type. */
final class SampleEvents {

    static final String CUSTOMER_ID = "cust-ü-42";
    static final String DOCUMENT_ID = "doc-7";
    // timestamp-millis keeps milliseconds only, so samples must not carry finer precision.
    static final Instant OCCURRED_AT = Instant.ofEpochMilli(1_790_000_000_123L);

    private SampleEvents() {
    }

    static List<CustomerEvent> customerEvents() {
        CustomerConfiguration configuration = CustomerConfiguration.newBuilder()
                .setRequestsPerMinute(600)
                .setRequestsPerDay(100_000)
                .setMaxDocuments(10_000)
                .setMaxFileBytes(26_214_400L)
                .setAllowedContentTypes(List.of("text/markdown", "text/plain"))
                .setChunkTokens(200)
                .setChunkOverlapTokens(20)
                .setEmbeddingModel("all-minilm-l6-v2")
                .setMonthlyBudgetMicroUsd(25_000_000L)
                .setBudgetAlertPercent(75)
                .setRerankModel("rerank-v3.5")
                .build();
        return List.of(
                customerEvent(CustomerRegistered.newBuilder().setConfiguration(configuration).build()),
                customerEvent(CustomerRegistered.newBuilder().setConfiguration(null).build()),
                customerEvent(CustomerConfigurationChanged.newBuilder().setConfiguration(configuration).build()),
                customerEvent(ProviderKeyChanged.newBuilder().setProvider("openai").setFingerprint("sha256:ab12").build()),
                customerEvent(ProviderKeyChanged.newBuilder().setProvider("openai").setFingerprint(null).build()),
                customerEvent(CustomerSuspended.newBuilder().setReason("unpaid invoice").build()),
                customerEvent(CustomerReactivated.newBuilder().build()),
                customerEvent(CustomerDeleted.newBuilder().build()),
                customerEvent(BudgetThresholdReached.newBuilder().setMonth("2026-11").setThresholdPercent(75)
                        .setSpentMicroUsd(19_000_000L).setBudgetMicroUsd(25_000_000L).build()),
                customerEvent(CustomerCeilingsChanged.newBuilder().setRequestsPerMinute(6_000).setRequestsPerDay(null)
                        .setMaxDocuments(50_000).setMaxFileBytes(104_857_600L).build()));
    }

    static List<DocumentEvent> documentEvents() {
        return List.of(
                documentEvent(0, DocumentVersionUploaded.newBuilder()
                        .setVersion(1)
                        .setTitle("Handbook.pdf")
                        .setContentType("application/pdf")
                        .setS3Key("tenants/" + CUSTOMER_ID + "/documents/" + DOCUMENT_ID + "/ab12")
                        .setSha256("ab12")
                        .setBytes(5_000_000_000L)
                        .setChunkTokens(128)
                        .setChunkOverlapTokens(16)
                        .setEmbeddingModel("all-minilm-l6-v2")
                        .build()),
                documentEvent(1, DocumentIngestionStarted.newBuilder().setVersion(1).build()),
                documentEvent(2, DocumentVersionIndexed.newBuilder()
                        .setVersion(1)
                        .setChunks(120)
                        .setTokens(31_000L)
                        .setEmbeddedTokens(12_000L)
                        .setReusedChunks(70)
                        .setLanceVersion(17L)
                        .setModel("all-minilm-l6-v2")
                        .setStageMillis(Map.of("fetch", 12L, "embed", 4_200L))
                        .setCharacters(140_000L)
                        .setPages(42)
                        .setMeteredTokens(29_500L)
                        .setCostMicroUsd(240L)
                        .build()),
                documentEvent(3, DocumentVersionFailed.newBuilder()
                        .setVersion(2)
                        .setReason("unsupported content type")
                        .setRetryable(false)
                        .build()),
                documentEvent(4, DocumentDeleted.newBuilder().setLastVersion(2).build()),
                documentEvent(5, DocumentRemovedFromIndex.newBuilder().setLanceVersion(18L).build()));
    }

    static List<IngestionResult> ingestionResults() {
        return List.of(
                ingestionResult(IngestionStarted.newBuilder().build()),
                ingestionResult(IngestionSucceeded.newBuilder()
                        .setChunks(120)
                        .setTokens(31_000L)
                        .setEmbeddedTokens(12_000L)
                        .setReusedChunks(70)
                        .setLanceVersion(17L)
                        .setModel("all-minilm-l6-v2")
                        .setStageMillis(Map.of())
                        .setCharacters(140_000L)
                        .setPages(0)
                        .setMeteredTokens(29_500L)
                        .setCostMicroUsd(0L)
                        .build()),
                ingestionResult(IngestionFailed.newBuilder()
                        .setReason("S3 unavailable")
                        .setRetryable(true)
                        .build()),
                ingestionResult(DocumentRemoved.newBuilder().setLanceVersion(18L).build()));
    }

    static CustomerEvent customerEvent(Object payload) {
        return CustomerEvent.newBuilder()
                .setEventId("evt-c-1")
                .setOccurredAt(OCCURRED_AT)
                .setCustomerId(CUSTOMER_ID)
                .setSequenceNumber(0L)
                .setPayload(payload)
                .build();
    }

    static DocumentEvent documentEvent(long sequence, Object payload) {
        return DocumentEvent.newBuilder()
                .setEventId("evt-d-" + sequence)
                .setOccurredAt(OCCURRED_AT.plusMillis(sequence))
                .setCustomerId(CUSTOMER_ID)
                .setDocumentId(DOCUMENT_ID)
                .setSequenceNumber(sequence)
                .setPayload(payload)
                .build();
    }

    static IngestionResult ingestionResult(Object outcome) {
        return IngestionResult.newBuilder()
                .setCustomerId(CUSTOMER_ID)
                .setDocumentId(DOCUMENT_ID)
                .setVersion(1)
                .setSourceEventId("evt-d-0")
                .setProducedAt(OCCURRED_AT)
                .setOutcome(outcome)
                .build();
    }
}
