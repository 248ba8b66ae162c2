package io.dynrag.platform.persistence;

import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.ConnectionWrapperFactory;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * JDBC transactions bound to the current thread, shared by Axon and our own SQL.
 *
 * <p>Axon core has no JDBC transaction manager, and its tracking processors claim tokens
 * outside a unit of work, so a unit-of-work scoped connection is not enough. Binding the
 * connection to the thread lets a command, the events it appends and rows we write next to
 * it (an API key hash, say) commit or roll back together. A transaction started while one
 * is open joins it: the outermost owner commits.
 */
public final class ThreadBoundTransactionManager implements TransactionManager, ConnectionProvider {

    private static final ConnectionWrapperFactory.ConnectionCloseHandler NO_CLOSE =
            new ConnectionWrapperFactory.NoOpCloseHandler();

    private final DataSource dataSource;
    private final ThreadLocal<Connection> current = new ThreadLocal<>();

    public ThreadBoundTransactionManager(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public Transaction startTransaction() {
        if (current.get() != null) {
            return JOINED;
        }
        Connection connection = open();
        current.set(connection);
        return new Transaction() {
            @Override
            public void commit() {
                try {
                    connection.commit();
                } catch (SQLException e) {
                    throw new DatabaseException("commit failed", e);
                } finally {
                    release(connection);
                }
            }

            @Override
            public void rollback() {
                try {
                    connection.rollback();
                } catch (SQLException e) {
                    throw new DatabaseException("rollback failed", e);
                } finally {
                    release(connection);
                }
            }
        };
    }

    /**
     * The thread's transactional connection (whose {@code close()} and {@code commit()} do
     * nothing, because its transaction owns it) or, outside a transaction, a pooled auto-commit connection that
     * the caller closes.
     */
    @Override
    public Connection getConnection() throws SQLException {
        Connection connection = current.get();
        if (connection != null) {
            return ConnectionWrapperFactory.wrap(connection, NO_CLOSE);
        }
        return dataSource.getConnection();
    }

    private Connection open() {
        try {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            return connection;
        } catch (SQLException e) {
            throw new DatabaseException("cannot open a database transaction", e);
        }
    }

    private void release(Connection connection) {
        current.remove();
        try {
            connection.setAutoCommit(true);
            connection.close();
        } catch (SQLException e) {
            throw new DatabaseException("cannot return a connection to the pool", e);
        }
    }

    private static final Transaction JOINED = new Transaction() {
        @Override
        public void commit() {
            // the outer transaction commits
        }

        @Override
        public void rollback() {
            // the exception that caused this rollback reaches the outer owner, which rolls back
        }
    };
}
