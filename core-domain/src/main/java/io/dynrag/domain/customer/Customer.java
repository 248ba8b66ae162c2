package io.dynrag.domain.customer;

import io.dynrag.domain.DomainRuleViolation;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

/** A tenant of Dynamic RAG. Every document, dataset and bill belongs to exactly one customer. */
class Customer {

    @AggregateIdentifier
    private String customerId;
    private CustomerStatus status;
    private CustomerConfiguration configuration;
    private CustomerCeilings ceilings = CustomerCeilings.NONE;
    /** By provider: a customer may hold a key for its embedding provider and one for its rerank provider. */
    private final Map<String, String> providerKeyFingerprints = new HashMap<>();
    private String lastBudgetAlertMonth;

    Customer() {
        // required by Axon to rebuild the aggregate from its events
    }

    @CommandHandler
    Customer(RegisterCustomer command) {
        if (command.company() == null) {
            throw new DomainRuleViolation("a customer needs a company name");
        }
        if (command.configuration() == null) {
            throw new DomainRuleViolation("a customer needs a configuration");
        }
        apply(new CustomerRegistered(command.customerId(), command.company(), command.email(),
                command.configuration().validated()));
    }

    @CommandHandler
    void handle(ChangeCustomerConfiguration command) {
        requireNotDeleted();
        CustomerConfiguration next = Objects.requireNonNull(command.configuration(), "configuration").validated();
        // The operator's ceilings come from this customer's own events; the defaults from the running settings.
        ceilings.over(Objects.requireNonNull(command.defaultCeilings(), "defaultCeilings")).admit(configuration, next);
        if (!next.equals(configuration)) {
            apply(new CustomerConfigurationChanged(customerId, next));
        }
    }

    /** Lowering a ceiling below a chosen value leaves the value as chosen; it applies up to the ceiling. */
    @CommandHandler
    void handle(ChangeCustomerCeilings command) {
        requireNotDeleted();
        CustomerCeilings next = Objects.requireNonNull(command.ceilings(), "ceilings").validated();
        if (!next.equals(ceilings)) {
            apply(new CustomerCeilingsChanged(customerId, next));
        }
    }

    @CommandHandler
    void handle(SetProviderKey command) {
        requireNotDeleted();
        if (command.provider() == null || command.provider().isBlank()) {
            throw new DomainRuleViolation("provider must not be blank");
        }
        if (!Objects.equals(command.fingerprint(), providerKeyFingerprints.get(command.provider()))) {
            apply(new ProviderKeyChanged(customerId, command.provider(), command.fingerprint()));
        }
    }

    @CommandHandler
    void handle(SuspendCustomer command) {
        requireNotDeleted();
        if (status == CustomerStatus.ACTIVE) {
            String reason = command.reason() == null || command.reason().isBlank() ? "suspended by an operator"
                    : command.reason().strip();
            apply(new CustomerSuspended(customerId, reason));
        }
    }

    @CommandHandler
    void handle(ReactivateCustomer command) {
        requireNotDeleted();
        if (status == CustomerStatus.SUSPENDED) {
            apply(new CustomerReactivated(customerId));
        }
    }

    @CommandHandler
    void handle(RecordBudgetThresholdReached command) {
        if (status == CustomerStatus.DELETED || command.month() == null || !command.month().matches("\\d{4}-\\d{2}")) {
            return;
        }
        if (!command.month().equals(lastBudgetAlertMonth)) {
            apply(new BudgetThresholdReached(customerId, command.month(), command.thresholdPercent(),
                    command.spentMicroUsd(), command.budgetMicroUsd()));
        }
    }

    @CommandHandler
    void handle(DeleteCustomer command) {
        if (status != CustomerStatus.DELETED) {
            apply(new CustomerDeleted(customerId));
        }
    }

    private void requireNotDeleted() {
        if (status == CustomerStatus.DELETED) {
            throw new DomainRuleViolation("customer " + customerId + " is deleted");
        }
    }

    @EventSourcingHandler
    void on(CustomerRegistered event) {
        this.customerId = event.customerId();
        this.status = CustomerStatus.ACTIVE;
        this.configuration = event.configuration();
    }

    @EventSourcingHandler
    void on(CustomerConfigurationChanged event) {
        this.configuration = event.configuration();
    }

    @EventSourcingHandler
    void on(CustomerCeilingsChanged event) {
        this.ceilings = event.ceilings();
    }

    @EventSourcingHandler
    void on(ProviderKeyChanged event) {
        if (event.fingerprint() == null) {
            providerKeyFingerprints.remove(event.provider());
        } else {
            providerKeyFingerprints.put(event.provider(), event.fingerprint());
        }
    }

    @EventSourcingHandler
    void on(CustomerSuspended event) {
        this.status = CustomerStatus.SUSPENDED;
    }

    @EventSourcingHandler
    void on(CustomerReactivated event) {
        this.status = CustomerStatus.ACTIVE;
    }

    @EventSourcingHandler
    void on(BudgetThresholdReached event) {
        this.lastBudgetAlertMonth = event.month();
    }

    @EventSourcingHandler
    void on(CustomerDeleted event) {
        this.status = CustomerStatus.DELETED;
    }
}
