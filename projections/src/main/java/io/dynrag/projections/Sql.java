package io.dynrag.projections;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Statements of the projections, run in the transaction that also stores their offsets. */
public final class Sql {

    private Sql() {
    }

    public static int execute(Connection tx, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = tx.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }
}
