package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/** A tenant of Dynamic RAG. Every document, dataset and bill belongs to exactly one customer. */
public class Customer {

    static final int MAX_NAME_LENGTH = 200;

    @AggregateIdentifier
    private String customerId;

    protected Customer() {
        // required by Axon to rebuild the aggregate from its events
    }

    @CommandHandler
    public Customer(RegisterCustomer command) {
        String name = command.name() == null ? "" : command.name().strip();
        if (name.isEmpty()) {
            throw new DomainRuleViolation("customer name must not be blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new DomainRuleViolation("customer name must be at most " + MAX_NAME_LENGTH + " characters");
        }
        apply(new CustomerRegistered(command.customerId(), name));
    }

    @EventSourcingHandler
    void on(CustomerRegistered event) {
        this.customerId = event.customerId();
    }
}
