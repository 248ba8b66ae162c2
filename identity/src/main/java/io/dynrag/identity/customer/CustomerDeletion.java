package io.dynrag.identity.customer;

import io.dynrag.domain.customer.DeleteCustomer;
import io.dynrag.identity.accounts.ProviderKeys;
import io.dynrag.identity.credentials.ApiKeys;
import io.dynrag.identity.datakeys.CustomerDataKeys;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.commandhandling.gateway.CommandGateway;

/**
 * Deletes a customer: the event, and in the same transaction every credential and secret of the
 * customer and its data key (crypto-shredding: personal fields in old events become unreadable).
 * The pipeline and the projections remove stored documents, datasets and read-model rows when
 * they see the event. The events themselves stay for audit.
 */
public final class CustomerDeletion {

    private final ThreadBoundTransactionManager transactions;
    private final CommandGateway commands;
    private final CustomerDataKeys dataKeys;
    private final ApiKeys apiKeys;
    private final UserAccounts users;
    private final ProviderKeys providerKeys;

    public CustomerDeletion(ThreadBoundTransactionManager transactions, CommandGateway commands,
                            CustomerDataKeys dataKeys, ApiKeys apiKeys, UserAccounts users, ProviderKeys providerKeys) {
        this.transactions = transactions;
        this.commands = commands;
        this.dataKeys = dataKeys;
        this.apiKeys = apiKeys;
        this.users = users;
        this.providerKeys = providerKeys;
    }

    public void delete(String customerId) {
        transactions.executeInTransaction(() -> {
            commands.sendAndWait(new DeleteCustomer(customerId));
            apiKeys.deleteAllOf(customerId);
            users.deleteForCustomer(customerId);
            providerKeys.deleteAllOf(customerId);
            dataKeys.destroy(customerId);
        });
    }
}
