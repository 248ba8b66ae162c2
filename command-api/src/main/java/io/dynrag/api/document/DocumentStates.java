package io.dynrag.api.document;

import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.Statements;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.axonframework.eventhandling.EventHandler;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code document_state} table, kept by a subscribing event handler in the command's own
 * transaction: which customer owns a document, its latest version and whether it is deleted.
 * Ownership checks and search (which must never return a deleted document) read it.
 */
public final class DocumentStates {

    public static final String PROCESSING_GROUP = "document-states";

    private final ThreadBoundTransactionManager transactions;
    private final Statements statements;

    public DocumentStates(ThreadBoundTransactionManager transactions) {
        this.transactions = transactions;
        this.statements = new Statements(transactions, "document states");
    }

    public record DocumentState(String documentId, String customerId, int latestVersion, String latestSha256,
                                boolean deleted) {
    }

    @EventHandler
    void on(DocumentVersionUploaded event, @org.axonframework.eventhandling.Timestamp Instant at) {
        execute("""
                INSERT INTO document_state (document_id, customer_id, latest_version, latest_sha256, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (document_id) DO UPDATE SET latest_version = EXCLUDED.latest_version,
                    latest_sha256 = EXCLUDED.latest_sha256, updated_at = EXCLUDED.updated_at""",
                event.documentId(), event.customerId(), event.version(), event.sha256(), Timestamp.from(at));
    }

    @EventHandler
    void on(DocumentDeleted event, @org.axonframework.eventhandling.Timestamp Instant at) {
        execute("UPDATE document_state SET deleted = TRUE, updated_at = ? WHERE document_id = ?",
                Timestamp.from(at), event.documentId());
    }

    /** The customer's document, deleted or not; empty for unknown ids and other tenants' documents. */
    public Optional<DocumentState> find(String customerId, String documentId) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT document_id, customer_id, latest_version, latest_sha256, deleted FROM document_state
                     WHERE customer_id = ? AND document_id = ?""")) {
            query.setString(1, customerId);
            query.setString(2, documentId);
            try (ResultSet row = query.executeQuery()) {
                return row.next()
                        ? Optional.of(new DocumentState(row.getString(1), row.getString(2), row.getInt(3),
                        row.getString(4), row.getBoolean(5)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read document states", e);
        }
    }

    /** Ids of every document of the customer, deleted or not, sorted. */
    public List<String> documentIdsOf(String customerId) {
        return statements.query(row -> row.getString(1),
                "SELECT document_id FROM document_state WHERE customer_id = ? ORDER BY document_id", customerId);
    }

    /** Every deleted document of the customer. */
    public Set<String> deletedOf(String customerId) {
        return Set.copyOf(statements.query(row -> row.getString(1),
                "SELECT document_id FROM document_state WHERE customer_id = ? AND deleted", customerId));
    }

    /** Which of these documents of the customer are deleted. */
    public Set<String> deletedAmong(String customerId, Collection<String> documentIds) {
        if (documentIds.isEmpty()) {
            return Set.of();
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT document_id FROM document_state
                     WHERE customer_id = ? AND deleted AND document_id = ANY (?)""")) {
            Array ids = connection.createArrayOf("varchar", documentIds.toArray());
            query.setString(1, customerId);
            query.setArray(2, ids);
            Set<String> deleted = new HashSet<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    deleted.add(rows.getString(1));
                }
            }
            return deleted;
        } catch (SQLException e) {
            throw new DatabaseException("cannot read document states", e);
        }
    }

    private void execute(String sql, Object... parameters) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot update document states", e);
        }
    }
}
