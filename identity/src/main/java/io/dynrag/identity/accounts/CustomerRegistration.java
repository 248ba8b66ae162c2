package io.dynrag.identity.accounts;

import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.RegisterCustomer;
import io.dynrag.identity.datakeys.CustomerDataKeys;
import io.dynrag.identity.datakeys.EncryptedValue;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.commandhandling.gateway.CommandGateway;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * Creates customers. The customer's data key is created first and encrypts the personal fields
 * before they reach the command; the key, the event and whatever the caller stores alongside
 * (a login, an API key) commit in one transaction or not at all.
 */
public final class CustomerRegistration {

    static final int MAX_COMPANY_LENGTH = 200;

    private final ThreadBoundTransactionManager transactions;
    private final CommandGateway commands;
    private final CustomerDataKeys dataKeys;
    private final CustomerConfiguration defaults;

    public CustomerRegistration(ThreadBoundTransactionManager transactions, CommandGateway commands,
                                CustomerDataKeys dataKeys, CustomerConfiguration defaults) {
        this.transactions = transactions;
        this.commands = commands;
        this.dataKeys = dataKeys;
        this.defaults = defaults.validated();
    }

    /**
     * @param customerId        the new customer's id
     * @param email             null for a customer without a login
     * @param alsoInTransaction runs with the new customer id inside the same transaction
     * @return the new customer id
     */
    public String register(String customerId, String company, String email, Consumer<String> alsoInTransaction) {
        String name = company == null ? "" : company.strip();
        if (name.isEmpty() || name.length() > MAX_COMPANY_LENGTH) {
            throw new DomainRuleViolation(
                    "the company name must be 1 to " + MAX_COMPANY_LENGTH + " characters");
        }
        return transactions.fetchInTransaction(() -> {
            dataKeys.create(customerId);
            EncryptedText encryptedCompany = encrypt(customerId, name);
            EncryptedText encryptedEmail = email == null ? null : encrypt(customerId, email);
            commands.sendAndWait(new RegisterCustomer(customerId, encryptedCompany, encryptedEmail, defaults));
            alsoInTransaction.accept(customerId);
            return customerId;
        });
    }

    /** The company in clear, or empty once the customer's data key is destroyed. */
    public Optional<String> company(CustomerAccount account) {
        return account.company() == null ? Optional.empty()
                : dataKeys.decrypt(account.customerId(),
                new EncryptedValue(account.company().keyId(), account.company().ciphertext()));
    }

    private EncryptedText encrypt(String customerId, String plaintext) {
        EncryptedValue value = dataKeys.encrypt(customerId, plaintext);
        return new EncryptedText(value.keyId(), value.ciphertext());
    }
}
