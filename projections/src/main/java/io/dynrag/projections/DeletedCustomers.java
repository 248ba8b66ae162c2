package io.dynrag.projections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Customers whose data must not reappear. The customer and document topics are not ordered
 * against each other, so events of a deleted customer can arrive after its deletion; every
 * projection ignores them, whatever order it reads them in.
 */
public final class DeletedCustomers {

    private DeletedCustomers() {
    }

    public static void record(Connection tx, String customerId, Instant deletedAt) throws SQLException {
        Sql.execute(tx, "INSERT INTO deleted_customer (customer_id, deleted_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                customerId, Timestamp.from(deletedAt));
    }

    public static boolean contains(Connection tx, String customerId) throws SQLException {
        try (PreparedStatement query = tx.prepareStatement("SELECT 1 FROM deleted_customer WHERE customer_id = ?")) {
            query.setString(1, customerId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next();
            }
        }
    }
}
