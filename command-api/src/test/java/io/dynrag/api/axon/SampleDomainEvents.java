package io.dynrag.api.axon;

import io.dynrag.domain.customer.BudgetThresholdReached;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerCeilingsChanged;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerConfigurationChanged;
import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.CustomerReactivated;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.CustomerSuspended;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.ProviderKeyChanged;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentIngestionStarted;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.domain.document.DocumentRemovedFromIndex;
import io.dynrag.domain.document.DocumentVersionFailed;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One fully populated instance of every event the aggregates record: every field set, no
 * collection empty, so the JSON of each shows every field a stored event can have. Sets hold one
 * element, because the order of a larger set would differ from one run to the next. Public for the audit trail's
 * contract test ({@code AuditEventContractTest}).
 */
public final class SampleDomainEvents {

    static final String CUSTOMER = "c-7f3a";
    static final String DOCUMENT = "d-91b2";

    static final CustomerConfiguration CONFIGURATION = new CustomerConfiguration(120, 50_000, 1_000, 26_214_400L,
            Set.of("text/markdown"), 200, 20, "all-minilm-l6-v2", new BigDecimal("25.50"), 75, "rerank-v3.5", 90);

    static final IndexingStats STATS = new IndexingStats(12, 2_400, 1_800, 3, 17, "all-minilm-l6-v2",
            Map.of("fetch", 4L, "extract", 9L, "chunk", 2L, "embed", 310L, "write", 21L),
            9_876, 4, 2_210, 36);

    /** One value of every kind metadata holds. */
    static final Map<String, Object> METADATA = Map.of("department", "people", "revision", 7L, "score", 0.75,
            "confidential", true, "tags", List.of("hr", "policy"), "effective", "2026-01-01");
    public static final List<Object> ALL = List.of(
            new CustomerRegistered(CUSTOMER, new EncryptedText("k-1", "bm9uY2UrY29tcGFueQ=="),
                    new EncryptedText("k-1", "bm9uY2UrZW1haWw="), CONFIGURATION),
            new CustomerConfigurationChanged(CUSTOMER, CONFIGURATION),
            new CustomerCeilingsChanged(CUSTOMER, new CustomerCeilings(600, 200_000, 5_000, 104_857_600L)),
            new ProviderKeyChanged(CUSTOMER, "openai", "3f9a1c0b7d2e"),
            new CustomerSuspended(CUSTOMER, "unpaid invoice"),
            new CustomerReactivated(CUSTOMER),
            new BudgetThresholdReached(CUSTOMER, "2026-03", 75, 19_125_000, 25_500_000),
            new CustomerDeleted(CUSTOMER),
            new DocumentVersionUploaded(DOCUMENT, CUSTOMER, 2, "Handbook", "text/markdown",
                    "tenants/" + CUSTOMER + "/documents/" + DOCUMENT + "/" + "ab".repeat(32), "ab".repeat(32), 48_213,
                    new IndexingSettings(200, 20, "all-minilm-l6-v2", 90), METADATA),
            new DocumentMetadataChanged(DOCUMENT, CUSTOMER, "Employee handbook", METADATA),
            new DocumentIngestionStarted(DOCUMENT, CUSTOMER, 2),
            new DocumentVersionIndexed(DOCUMENT, CUSTOMER, 2, STATS),
            new DocumentVersionFailed(DOCUMENT, CUSTOMER, 2, "the document contains no text to index", true),
            new DocumentDeleted(DOCUMENT, CUSTOMER, 2),
            new DocumentRemovedFromIndex(DOCUMENT, CUSTOMER, 18));

    static final Map<Class<?>, Object> BY_CLASS = ALL.stream()
            .collect(Collectors.toMap(Object::getClass, Function.identity(), (a, b) -> a, LinkedHashMap::new));

    private SampleDomainEvents() {
    }
}
