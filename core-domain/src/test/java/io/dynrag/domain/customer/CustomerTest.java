package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CustomerTest {

    private AggregateTestFixture<Customer> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Customer.class);
    }

    @Test
    void registeringEmitsCustomerRegisteredWithTrimmedName() {
        fixture.givenNoPriorActivity()
                .when(new RegisterCustomer("c-1", "  Acme Corp "))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new CustomerRegistered("c-1", "Acme Corp"));
    }

    @Test
    void blankNameIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new RegisterCustomer("c-1", "   "))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }

    @Test
    void overlongNameIsRefused() {
        fixture.givenNoPriorActivity()
                .when(new RegisterCustomer("c-1", "x".repeat(Customer.MAX_NAME_LENGTH + 1)))
                .expectException(DomainRuleViolation.class)
                .expectNoEvents();
    }
}
