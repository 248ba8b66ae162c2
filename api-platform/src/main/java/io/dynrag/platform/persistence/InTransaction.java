package io.dynrag.platform.persistence;

import org.axonframework.common.transaction.Transaction;

import java.sql.Connection;
import java.sql.SQLException;

/** Runs statements that must commit together, joining the caller's transaction when one is open. */
public final class InTransaction {

    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private InTransaction() {
    }

    public static <T> T run(ThreadBoundTransactionManager transactions, String failure, Work<T> work) {
        Transaction transaction = transactions.startTransaction();
        T result;
        try (Connection connection = transactions.getConnection()) {
            result = work.run(connection);
        } catch (SQLException e) {
            transaction.rollback();
            throw new DatabaseException(failure, e);
        } catch (RuntimeException | Error e) {
            transaction.rollback();
            throw e;
        }
        transaction.commit();
        return result;
    }
}
