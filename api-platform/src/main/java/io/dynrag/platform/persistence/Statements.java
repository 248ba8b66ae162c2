package io.dynrag.platform.persistence;

import org.axonframework.common.jdbc.ConnectionProvider;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Plain SQL on the thread's transaction when there is one (so it commits or rolls back with the
 * command), otherwise on a pooled connection. Failures become {@link DatabaseException}, which the
 * API answers with 503.
 */
public final class Statements {

    /** Reads one row into a value. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final ConnectionProvider connections;
    private final String subject;

    /** @param subject what the statements work on, for error messages ("budget ledger") */
    public Statements(ConnectionProvider connections, String subject) {
        this.connections = connections;
        this.subject = subject;
    }

    /** @return the number of rows changed */
    public int update(String sql, Object... parameters) {
        try (Connection connection = connections.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot update the " + subject, e);
        }
    }

    public <T> List<T> query(RowMapper<T> mapper, String sql, Object... parameters) {
        try (Connection connection = connections.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<T> rows = new ArrayList<>();
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    rows.add(mapper.map(row));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the " + subject, e);
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
    }
}
