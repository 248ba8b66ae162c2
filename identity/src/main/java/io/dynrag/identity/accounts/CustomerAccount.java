package io.dynrag.identity.accounts;

import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.domain.customer.EncryptedText;

import java.time.Instant;

/**
 * A customer as the command side sees it: status, configuration, ceilings and usage counters.
 *
 * @param chosenConfiguration the configuration as the customer set it, possibly above a since lowered ceiling
 * @param operatorCeilings    the ceilings an operator set; null fields where the default applies
 * @param ceilings            the ceilings in force: the operator's, else the running defaults
 */
public record CustomerAccount(
        String customerId,
        CustomerStatus status,
        CustomerConfiguration chosenConfiguration,
        CustomerCeilings operatorCeilings,
        CustomerCeilings ceilings,
        EncryptedText company,
        String provider,
        String providerFingerprint,
        int documentCount,
        Instant registeredAt,
        Instant updatedAt) {

    /** The configuration that applies: the customer's values, each at most its ceiling. */
    public CustomerConfiguration configuration() {
        return ceilings.limit(chosenConfiguration);
    }
}
