package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CustomerTest {

    static final CustomerConfiguration DEFAULTS = new CustomerConfiguration(600, 100_000, 10_000, 25L << 20,
            Set.of("text/plain", "text/markdown"), 200, 0, "all-minilm-l6-v2", null, 80, null, 30);
    private static final EncryptedText COMPANY = new EncryptedText("k1", "c2VjcmV0");
    private static final EncryptedText EMAIL = new EncryptedText("k1", "bWFpbA==");
    private static final CustomerRegistered REGISTERED = new CustomerRegistered("c-1", COMPANY, EMAIL, DEFAULTS);
    /** The running defaults: what a customer may raise its values to before an operator says otherwise. */
    static final CustomerCeilings DEFAULT_CEILINGS = new CustomerCeilings(1_000, 200_000, 20_000, 25L << 20);

    private AggregateTestFixture<Customer> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Customer.class);
    }

    @Test
    void registeringEmitsCustomerRegistered() {
        fixture.givenNoPriorActivity()
                .when(new RegisterCustomer("c-1", COMPANY, EMAIL, DEFAULTS))
                .expectSuccessfulHandlerExecution()
                .expectEvents(REGISTERED);
    }

    @Test
    void aCustomerNeedsACompany() {
        fixture.givenNoPriorActivity()
                .when(new RegisterCustomer("c-1", null, EMAIL, DEFAULTS))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void configurationChangesAreEventsAndRepeatsAreNot() {
        CustomerConfiguration smaller = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                128, 16, "all-minilm-l6-v2", null, 80, null, 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", smaller, DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", smaller));
        fixture.given(REGISTERED, new CustomerConfigurationChanged("c-1", smaller))
                .when(new ChangeCustomerConfiguration("c-1", smaller, DEFAULT_CEILINGS))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void invalidConfigurationIsRefusedNamingTheField() {
        CustomerConfiguration tooLarge = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                240, 100, "all-minilm-l6-v2", null, 80, null, 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", tooLarge, DEFAULT_CEILINGS))
                .expectException(DomainRuleViolation.class)
                .expectExceptionMessage(org.hamcrest.Matchers.containsString("chunkOverlapTokens"))
                .expectNoEvents();
        CustomerConfiguration unknownType = new CustomerConfiguration(60, 1_000, 10, 1 << 20,
                Set.of("application/x-msdownload"), 128, 0, "all-minilm-l6-v2", null, 80, null, 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", unknownType, DEFAULT_CEILINGS))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void providerKeyChangesCarryOnlyTheFingerprint() {
        fixture.given(REGISTERED)
                .when(new SetProviderKey("c-1", "openai", "sha256:abcd"))
                .expectEvents(new ProviderKeyChanged("c-1", "openai", "sha256:abcd"));
        fixture.given(REGISTERED, new ProviderKeyChanged("c-1", "openai", "sha256:abcd"))
                .when(new SetProviderKey("c-1", "openai", "sha256:abcd"))
                .expectNoEvents();
    }

    @Test
    void eachProvidersKeyChangesOnItsOwn() {
        fixture.given(REGISTERED, new ProviderKeyChanged("c-1", "openai", "sha256:abcd"))
                .when(new SetProviderKey("c-1", "cohere", "sha256:abcd"))
                .expectEvents(new ProviderKeyChanged("c-1", "cohere", "sha256:abcd"));
        fixture.given(REGISTERED, new ProviderKeyChanged("c-1", "openai", "sha256:abcd"),
                        new ProviderKeyChanged("c-1", "cohere", "sha256:ef01"))
                .when(new SetProviderKey("c-1", "openai", null))
                .expectEvents(new ProviderKeyChanged("c-1", "openai", null));
    }

    @Test
    void aRerankModelMustBeOneOfTheSupported() {
        CustomerConfiguration unknown = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                128, 0, "all-minilm-l6-v2", null, 80, "best-reranker", 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", unknown, DEFAULT_CEILINGS))
                .expectException(DomainRuleViolation.class)
                .expectExceptionMessage(Matchers.startsWith("rerankModel must be one of"));
        CustomerConfiguration reranking = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                128, 0, "all-minilm-l6-v2", null, 80, "rerank-2-lite", 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", reranking, DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", reranking));
    }

    @Test
    void eachLocalModelIsAChoiceWithItsOwnInputLimitAndAnUnknownOneIsRefusedNamingTheField() {
        for (String model : List.of("bge-small-en-v1.5", "bge-small-en-v1.5-q")) {
            // bge-small has 512 positions, MiniLM 256: chunks MiniLM refuses fit it.
            CustomerConfiguration bge = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                    400, 100, model, null, 80, null, 30);
            fixture.given(REGISTERED)
                    .when(new ChangeCustomerConfiguration("c-1", bge, DEFAULT_CEILINGS))
                    .expectEvents(new CustomerConfigurationChanged("c-1", bge));
            CustomerConfiguration tooLong = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                    511, 0, model, null, 80, null, 30);
            fixture.given(REGISTERED)
                    .when(new ChangeCustomerConfiguration("c-1", tooLong, DEFAULT_CEILINGS))
                    .expectException(DomainRuleViolation.class)
                    .expectExceptionMessage("chunkTokens must be 16 to 510 for " + model)
                    .expectNoEvents();
        }
        CustomerConfiguration miniLm = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                400, 0, "all-minilm-l6-v2-q", null, 80, null, 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", miniLm, DEFAULT_CEILINGS))
                .expectException(DomainRuleViolation.class)
                .expectExceptionMessage("chunkTokens must be 16 to 254 for all-minilm-l6-v2-q");
        for (String unknown : List.of("bge-small-en-v1.5-int8", "bge-small-en", "BGE-SMALL-EN-V1.5")) {
            CustomerConfiguration refused = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                    128, 0, unknown, null, 80, null, 30);
            fixture.given(REGISTERED)
                    .when(new ChangeCustomerConfiguration("c-1", refused, DEFAULT_CEILINGS))
                    .expectException(DomainRuleViolation.class)
                    .expectExceptionMessage(Matchers.allOf(Matchers.startsWith("embeddingModel must be one of"),
                            Matchers.containsString("bge-small-en-v1.5-q")))
                    .expectNoEvents();
        }
    }

    @Test
    void suspendAndReactivate() {
        fixture.given(REGISTERED)
                .when(new SuspendCustomer("c-1", " unpaid invoice "))
                .expectEvents(new CustomerSuspended("c-1", "unpaid invoice"));
        fixture.given(REGISTERED, new CustomerSuspended("c-1", "x"))
                .when(new SuspendCustomer("c-1", "again"))
                .expectNoEvents();
        fixture.given(REGISTERED, new CustomerSuspended("c-1", "x"))
                .when(new ReactivateCustomer("c-1"))
                .expectEvents(new CustomerReactivated("c-1"));
        fixture.given(REGISTERED)
                .when(new ReactivateCustomer("c-1"))
                .expectNoEvents();
    }

    @Test
    void aDeletedCustomerStaysDeletedAndRefusesChanges() {
        fixture.given(REGISTERED)
                .when(new DeleteCustomer("c-1"))
                .expectEvents(new CustomerDeleted("c-1"));
        fixture.given(REGISTERED, new CustomerDeleted("c-1"))
                .when(new DeleteCustomer("c-1"))
                .expectNoEvents();
        fixture.given(REGISTERED, new CustomerDeleted("c-1"))
                .when(new ReactivateCustomer("c-1"))
                .expectException(DomainRuleViolation.class);
        fixture.given(REGISTERED, new CustomerDeleted("c-1"))
                .when(new ChangeCustomerConfiguration("c-1", DEFAULTS, DEFAULT_CEILINGS))
                .expectException(DomainRuleViolation.class);
    }

    @Test
    void theBudgetAlertIsRecordedOncePerMonth() {
        fixture.given(REGISTERED)
                .when(new RecordBudgetThresholdReached("c-1", "2026-11", 80, 8_100_000, 10_000_000))
                .expectEvents(new BudgetThresholdReached("c-1", "2026-11", 80, 8_100_000, 10_000_000));
        fixture.given(REGISTERED, new BudgetThresholdReached("c-1", "2026-11", 80, 8_100_000, 10_000_000))
                .when(new RecordBudgetThresholdReached("c-1", "2026-11", 80, 9_000_000, 10_000_000))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
        fixture.given(REGISTERED, new BudgetThresholdReached("c-1", "2026-11", 80, 8_100_000, 10_000_000))
                .when(new RecordBudgetThresholdReached("c-1", "2026-12", 80, 8_000_000, 10_000_000))
                .expectEvents(new BudgetThresholdReached("c-1", "2026-12", 80, 8_000_000, 10_000_000));
    }

    @Test
    void aBudgetMustBeAnAmountOfDollars() {
        CustomerConfiguration negative = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                128, 0, "all-minilm-l6-v2", new java.math.BigDecimal("-1"), 80, null, 30);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", negative, DEFAULT_CEILINGS))
                .expectException(io.dynrag.domain.DomainRuleViolation.class)
                .expectExceptionMessage(org.hamcrest.Matchers.containsString("monthlyBudgetUsd"));
    }

    @Test
    void aCustomerCannotRaiseAValueAboveTheDefaultCeiling() {
        for (CustomerConfiguration above : List.of(
                withLimits(1_001, 100_000, 10_000, 25L << 20),
                withLimits(600, 200_001, 10_000, 25L << 20),
                withLimits(600, 100_000, 20_001, 25L << 20),
                withLimits(600, 100_000, 10_000, (25L << 20) + 1))) {
            fixture.given(REGISTERED)
                    .when(new ChangeCustomerConfiguration("c-1", above, DEFAULT_CEILINGS))
                    .expectException(CeilingExceededException.class)
                    .expectNoEvents();
        }
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", withLimits(600, 250_000, 10_000, 25L << 20),
                        DEFAULT_CEILINGS))
                .expectException(CeilingExceededException.class)
                .expectExceptionMessage(Matchers.allOf(Matchers.containsString("requestsPerDay"),
                        Matchers.containsString("200000")))
                .expectNoEvents();
        CustomerConfiguration atTheCeilings = withLimits(1_000, 200_000, 20_000, 25L << 20);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", atTheCeilings, DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", atTheCeilings));
    }

    @Test
    void theRefusalNamesTheFieldAndItsCeiling() {
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", withLimits(5_000, 100_000, 10_000, 25L << 20),
                        DEFAULT_CEILINGS))
                .expectException(CeilingExceededException.class)
                .expectExceptionMessage(Matchers.allOf(Matchers.containsString("requestsPerMinute"),
                        Matchers.containsString("at most 1000"), Matchers.containsString("5000")))
                .expectNoEvents();
    }

    @Test
    void ceilingChangesAreEventsAndRepeatsAreNot() {
        CustomerCeilings raised = new CustomerCeilings(10_000, null, null, null);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerCeilings("c-1", raised))
                .expectEvents(new CustomerCeilingsChanged("c-1", raised));
        fixture.given(REGISTERED, new CustomerCeilingsChanged("c-1", raised))
                .when(new ChangeCustomerCeilings("c-1", raised))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
        fixture.given(REGISTERED, new CustomerCeilingsChanged("c-1", raised))
                .when(new ChangeCustomerCeilings("c-1", CustomerCeilings.NONE))
                .expectEvents(new CustomerCeilingsChanged("c-1", CustomerCeilings.NONE));
    }

    @Test
    void theOperatorsCeilingsRebuiltFromTheEventsOverrideTheDefaults() {
        CustomerConfiguration fast = withLimits(5_000, 100_000, 10_000, 25L << 20);
        fixture.given(REGISTERED, new CustomerCeilingsChanged("c-1", new CustomerCeilings(10_000, null, null, null)))
                .when(new ChangeCustomerConfiguration("c-1", fast, DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", fast));
        fixture.given(REGISTERED, new CustomerCeilingsChanged("c-1", new CustomerCeilings(null, null, 100, 1L << 20)))
                .when(new ChangeCustomerConfiguration("c-1", withLimits(600, 100_000, 101, 1 << 20), DEFAULT_CEILINGS))
                .expectException(CeilingExceededException.class)
                .expectNoEvents();
        fixture.given(REGISTERED, new CustomerCeilingsChanged("c-1", new CustomerCeilings(null, null, 100, 1L << 20)))
                .when(new ChangeCustomerConfiguration("c-1", withLimits(600, 100_000, 100, 1 << 20), DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", withLimits(600, 100_000, 100, 1 << 20)));
    }

    @Test
    void aValueAboveALoweredCeilingIsKeptAndBlocksNoOtherChange() {
        CustomerCeilingsChanged lowered = new CustomerCeilingsChanged("c-1", new CustomerCeilings(100, null, null, null));
        CustomerConfiguration otherChange = new CustomerConfiguration(600, 100_000, 10_000, 25L << 20,
                Set.of("text/plain"), 200, 0, "all-minilm-l6-v2", null, 80, null, 30);
        fixture.given(REGISTERED, lowered)
                .when(new ChangeCustomerConfiguration("c-1", otherChange, DEFAULT_CEILINGS))
                .expectEvents(new CustomerConfigurationChanged("c-1", otherChange));
        fixture.given(REGISTERED, lowered)
                .when(new ChangeCustomerConfiguration("c-1", withLimits(500, 100_000, 10_000, 25L << 20),
                        DEFAULT_CEILINGS))
                .expectException(CeilingExceededException.class)
                .expectNoEvents();
        assertThat(new CustomerCeilings(100, null, null, null).over(DEFAULT_CEILINGS).limit(DEFAULTS)
                .requestsPerMinute()).as("what applies meanwhile").isEqualTo(100);
    }

    @Test
    void invalidCeilingsAreRefusedNamingTheField() {
        for (Map.Entry<String, CustomerCeilings> invalid : Map.of(
                "requestsPerMinute", new CustomerCeilings(0, null, null, null),
                "requestsPerDay", new CustomerCeilings(null, 1_000_000_001, null, null),
                "maxDocuments", new CustomerCeilings(null, null, -1, null),
                "maxFileBytes", new CustomerCeilings(null, null, null, (1L << 40) + 1)).entrySet()) {
            fixture.given(REGISTERED)
                    .when(new ChangeCustomerCeilings("c-1", invalid.getValue()))
                    .expectException(DomainRuleViolation.class)
                    .expectExceptionMessage(Matchers.containsString(invalid.getKey()))
                    .expectNoEvents();
        }
        fixture.given(REGISTERED, new CustomerDeleted("c-1"))
                .when(new ChangeCustomerCeilings("c-1", new CustomerCeilings(10, null, null, null)))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void whatAppliesIsEachValueAtMostItsCeiling() {
        CustomerConfiguration chosen = withLimits(5_000, 300_000, 50, 1 << 20);
        CustomerConfiguration applied = new CustomerCeilings(1_000, null, 100, null).over(DEFAULT_CEILINGS)
                .limit(chosen);
        assertThat(applied).isEqualTo(withLimits(1_000, 200_000, 50, 1 << 20));
    }

    private static CustomerConfiguration withLimits(int perMinute, int perDay, int documents, long fileBytes) {
        return new CustomerConfiguration(perMinute, perDay, documents, fileBytes, DEFAULTS.allowedContentTypes(),
                DEFAULTS.chunkTokens(), DEFAULTS.chunkOverlapTokens(), DEFAULTS.embeddingModel(), null, 80, null, 30);
    }
}
