package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Set;

class CustomerTest {

    static final CustomerConfiguration DEFAULTS = new CustomerConfiguration(600, 100_000, 10_000, 25L << 20,
            Set.of("text/plain", "text/markdown"), 200, 0, "all-minilm-l6-v2", null, 80);
    private static final EncryptedText COMPANY = new EncryptedText("k1", "c2VjcmV0");
    private static final EncryptedText EMAIL = new EncryptedText("k1", "bWFpbA==");
    private static final CustomerRegistered REGISTERED = new CustomerRegistered("c-1", COMPANY, EMAIL, DEFAULTS);

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
                128, 16, "all-minilm-l6-v2", null, 80);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", smaller))
                .expectEvents(new CustomerConfigurationChanged("c-1", smaller));
        fixture.given(REGISTERED, new CustomerConfigurationChanged("c-1", smaller))
                .when(new ChangeCustomerConfiguration("c-1", smaller))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void invalidConfigurationIsRefusedNamingTheField() {
        CustomerConfiguration tooLarge = new CustomerConfiguration(60, 1_000, 10, 1 << 20, Set.of("text/plain"),
                240, 100, "all-minilm-l6-v2", null, 80);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", tooLarge))
                .expectException(DomainRuleViolation.class)
                .expectExceptionMessage(org.hamcrest.Matchers.containsString("chunkOverlapTokens"))
                .expectNoEvents();
        CustomerConfiguration unknownType = new CustomerConfiguration(60, 1_000, 10, 1 << 20,
                Set.of("application/x-msdownload"), 128, 0, "all-minilm-l6-v2", null, 80);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", unknownType))
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
                .when(new ChangeCustomerConfiguration("c-1", DEFAULTS))
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
                128, 0, "all-minilm-l6-v2", new java.math.BigDecimal("-1"), 80);
        fixture.given(REGISTERED)
                .when(new ChangeCustomerConfiguration("c-1", negative))
                .expectException(io.dynrag.domain.DomainRuleViolation.class)
                .expectExceptionMessage(org.hamcrest.Matchers.containsString("monthlyBudgetUsd"));
    }
}
