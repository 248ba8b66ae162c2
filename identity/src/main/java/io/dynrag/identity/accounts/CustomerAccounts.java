package io.dynrag.identity.accounts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerCeilingsChanged;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerConfigurationChanged;
import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.CustomerReactivated;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.domain.customer.CustomerSuspended;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.ProviderKeyChanged;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.eventhandling.EventHandler;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code customer_account} table, kept by a subscribing event handler: it runs in the
 * command's own transaction, so the row is exactly as current as the customer's events.
 * Authentication (is the customer active?) and upload limits read it. A customer's ceilings are
 * those an operator set, else the running defaults, so that changing a default moves every customer
 * without ceilings of its own.
 */
public final class CustomerAccounts {

    public static final String PROCESSING_GROUP = "customer-accounts";
    /** The one provider whose key embeds documents. */
    public static final String EMBEDDING_PROVIDER = "openai";

    private final ThreadBoundTransactionManager transactions;
    private final ObjectMapper json;
    private final CustomerCeilings defaultCeilings;

    /** @param defaultCeilings the ceilings of customers for whom an operator has set none */
    public CustomerAccounts(ThreadBoundTransactionManager transactions, ObjectMapper json,
                            CustomerCeilings defaultCeilings) {
        if (!defaultCeilings.complete()) {
            throw new IllegalArgumentException("every default ceiling must be set: " + defaultCeilings);
        }
        this.transactions = transactions;
        this.json = json;
        this.defaultCeilings = defaultCeilings;
    }

    @EventHandler
    void on(CustomerRegistered event, @org.axonframework.eventhandling.Timestamp Instant at) {
        update("""
                INSERT INTO customer_account (customer_id, status, configuration, company_key_id, company_ciphertext,
                                              registered_at, updated_at)
                VALUES (?, 'ACTIVE', CAST(? AS JSONB), ?, ?, ?, ?)
                ON CONFLICT (customer_id) DO NOTHING""",
                event.customerId(), toJson(event.configuration()),
                event.company() == null ? null : event.company().keyId(),
                event.company() == null ? null : event.company().ciphertext(),
                Timestamp.from(at), Timestamp.from(at));
    }

    @EventHandler
    void on(CustomerConfigurationChanged event, @org.axonframework.eventhandling.Timestamp Instant at) {
        update("UPDATE customer_account SET configuration = CAST(? AS JSONB), updated_at = ? WHERE customer_id = ?",
                toJson(event.configuration()), Timestamp.from(at), event.customerId());
    }

    @EventHandler
    void on(CustomerCeilingsChanged event, @org.axonframework.eventhandling.Timestamp Instant at) {
        update("UPDATE customer_account SET ceilings = CAST(? AS JSONB), updated_at = ? WHERE customer_id = ?",
                toJson(event.ceilings()), Timestamp.from(at), event.customerId());
    }

    /** The account shows the embedding provider's key, which uploads need; rerank keys are read where used. */
    @EventHandler
    void on(ProviderKeyChanged event, @org.axonframework.eventhandling.Timestamp Instant at) {
        if (!EMBEDDING_PROVIDER.equals(event.provider())) {
            return;
        }
        update("UPDATE customer_account SET provider = ?, provider_fingerprint = ?, updated_at = ? WHERE customer_id = ?",
                event.fingerprint() == null ? null : event.provider(), event.fingerprint(), Timestamp.from(at),
                event.customerId());
    }

    @EventHandler
    void on(CustomerSuspended event, @org.axonframework.eventhandling.Timestamp Instant at) {
        status(event.customerId(), CustomerStatus.SUSPENDED, at);
    }

    @EventHandler
    void on(CustomerReactivated event, @org.axonframework.eventhandling.Timestamp Instant at) {
        status(event.customerId(), CustomerStatus.ACTIVE, at);
    }

    /** The row stays as a tombstone (ids must never be reused); its personal data goes. */
    @EventHandler
    void on(CustomerDeleted event, @org.axonframework.eventhandling.Timestamp Instant at) {
        update("""
                UPDATE customer_account SET status = 'DELETED', company_key_id = NULL, company_ciphertext = NULL,
                    provider = NULL, provider_fingerprint = NULL, updated_at = ? WHERE customer_id = ?""",
                Timestamp.from(at), event.customerId());
    }

    @EventHandler
    void on(DocumentVersionUploaded event) {
        if (event.version() == 1) {
            update("UPDATE customer_account SET document_count = document_count + 1 WHERE customer_id = ?",
                    event.customerId());
        }
    }

    @EventHandler
    void on(DocumentDeleted event) {
        update("UPDATE customer_account SET document_count = GREATEST(document_count - 1, 0) WHERE customer_id = ?",
                event.customerId());
    }

    public Optional<CustomerAccount> find(String customerId) {
        List<CustomerAccount> found = query("SELECT * FROM customer_account WHERE customer_id = ?", customerId);
        return found.stream().findFirst();
    }

    /**
     * Reads the account and locks its row until the caller's transaction ends, so concurrent
     * uploads of one customer check the document limit one after the other.
     */
    public Optional<CustomerAccount> findForUpdate(String customerId) {
        return query("SELECT * FROM customer_account WHERE customer_id = ? FOR UPDATE", customerId)
                .stream().findFirst();
    }

    /** Customers in id order, after {@code afterCustomerId} (null for the first page). */
    public List<CustomerAccount> list(String afterCustomerId, int limit) {
        return query("SELECT * FROM customer_account WHERE customer_id > ? ORDER BY customer_id LIMIT ?",
                afterCustomerId == null ? "" : afterCustomerId, limit);
    }

    private void status(String customerId, CustomerStatus status, Instant at) {
        update("UPDATE customer_account SET status = ?, updated_at = ? WHERE customer_id = ?",
                status.name(), Timestamp.from(at), customerId);
    }

    /** A configuration or ceilings, as stored in their JSONB column. */
    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a " + value.getClass().getSimpleName(), e);
        }
    }

    private <T> T fromJson(String value, Class<T> type) {
        try {
            return json.readValue(value, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read a stored " + type.getSimpleName(), e);
        }
    }

    private void update(String sql, Object... parameters) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot update customer accounts", e);
        }
    }

    private List<CustomerAccount> query(String sql, Object... parameters) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<CustomerAccount> accounts = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String keyId = row.getString("company_key_id");
                    String ceilings = row.getString("ceilings");
                    CustomerCeilings operatorCeilings = ceilings == null ? CustomerCeilings.NONE
                            : fromJson(ceilings, CustomerCeilings.class);
                    accounts.add(new CustomerAccount(
                            row.getString("customer_id"),
                            CustomerStatus.valueOf(row.getString("status")),
                            fromJson(row.getString("configuration"), CustomerConfiguration.class),
                            operatorCeilings,
                            operatorCeilings.over(defaultCeilings),
                            keyId == null ? null : new EncryptedText(keyId, row.getString("company_ciphertext")),
                            row.getString("provider"),
                            row.getString("provider_fingerprint"),
                            row.getInt("document_count"),
                            row.getTimestamp("registered_at").toInstant(),
                            row.getTimestamp("updated_at").toInstant()));
                }
            }
            return accounts;
        } catch (SQLException e) {
            throw new DatabaseException("cannot read customer accounts", e);
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }
}
