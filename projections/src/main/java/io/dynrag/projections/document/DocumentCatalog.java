package io.dynrag.projections.document;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** Queries of the documents catalogue, always scoped by tenant. */
public final class DocumentCatalog {

    private final DataSource dataSource;

    public DocumentCatalog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<DocumentRow> find(String customerId, String documentId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     SELECT document_id, customer_id, title, content_type, bytes, version, status, chunks, tokens,
                            failure_reason, updated_at
                     FROM document WHERE customer_id = ? AND document_id = ?""")) {
            query.setString(1, customerId);
            query.setString(2, documentId);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DocumentRow(row.getString(1), row.getString(2), row.getString(3),
                        row.getString(4), row.getLong(5), row.getInt(6), row.getString(7),
                        (Integer) row.getObject(8), (Long) row.getObject(9), row.getString(10),
                        row.getTimestamp(11).toInstant()));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the documents catalogue", e);
        }
    }
}
