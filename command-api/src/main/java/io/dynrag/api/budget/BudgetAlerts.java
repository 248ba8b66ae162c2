package io.dynrag.api.budget;

import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.platform.origin.CurrentOrigin;
import io.dynrag.platform.origin.Origin;
import org.axonframework.commandhandling.gateway.CommandGateway;

/**
 * Records {@code BudgetThresholdReached} when a customer's spending this month has crossed its
 * alert share. Asked after every indexed version; the ledger remembers an alert once its event is
 * stored, and the customer aggregate refuses a second one for the same month, so asking again (a
 * redelivered result, say) never alerts twice.
 */
public final class BudgetAlerts {

    static final String ACTOR = "system:budget";

    private final BudgetLedger ledger;
    private final CustomerAccounts accounts;
    private final CommandGateway commands;

    public BudgetAlerts(BudgetLedger ledger, CustomerAccounts accounts, CommandGateway commands) {
        this.ledger = ledger;
        this.accounts = accounts;
        this.commands = commands;
    }

    /** The alert is recorded as the budget's doing, correlated with whatever caused the check. */
    public void check(String customerId) {
        Origin origin = CurrentOrigin.get().map(cause -> cause.actedOnBy(ACTOR))
                .orElseGet(() -> new Origin(ACTOR, Origin.newCorrelationId()));
        accounts.find(customerId)
                .filter(account -> account.status() != CustomerStatus.DELETED)
                .flatMap(account -> ledger.alertDue(customerId, account.configuration()))
                .ifPresent(alert -> CurrentOrigin.run(origin, () -> commands.sendAndWait(alert)));
    }
}
