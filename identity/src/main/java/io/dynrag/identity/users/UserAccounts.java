package io.dynrag.identity.users;

import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@code user_account} table. Disabled accounts keep their email address taken but are invisible to
 * the lookups, so they can neither sign in nor refresh. Every method joins the caller's transaction when
 * one is open (registration writes the customer's event and its first user together).
 */
public final class UserAccounts {

    private static final String COLUMNS = "user_id, customer_id, email, password_hash, role, created_at";

    private final ThreadBoundTransactionManager transactions;

    public UserAccounts(ThreadBoundTransactionManager transactions) {
        this.transactions = transactions;
    }

    /**
     * Stores a new account. {@code customerId} is required for {@link Role#CUSTOMER} and must be null for
     * {@link Role#ADMIN}. The email address is normalised with {@link Emails#normalise}.
     *
     * @throws EmailAlreadyRegisteredException when another account has the address; the caller's
     *                                         transaction stays usable
     */
    public UserAccount create(String customerId, String email, String passwordHash, Role role) {
        if (role == null) {
            throw new IllegalArgumentException("a role is required");
        }
        if ((role == Role.ADMIN) != (customerId == null)) {
            throw new IllegalArgumentException(role == Role.ADMIN
                    ? "an admin belongs to no customer" : "a customer user needs a customer id");
        }
        if (passwordHash == null || passwordHash.isBlank()) {
            throw new IllegalArgumentException("a password hash is required");
        }
        String normalisedEmail = Emails.normalise(email);
        // ON CONFLICT instead of catching the unique violation: a failed statement would abort the caller's transaction.
        try (Connection connection = transactions.getConnection();
             PreparedStatement insert = connection.prepareStatement("""
                     INSERT INTO user_account (user_id, customer_id, email, password_hash, role) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (email) DO NOTHING
                     RETURNING %s""".formatted(COLUMNS))) {
            insert.setObject(1, UUID.randomUUID());
            insert.setString(2, customerId);
            insert.setString(3, normalisedEmail);
            insert.setString(4, passwordHash);
            insert.setString(5, role.name());
            try (ResultSet row = insert.executeQuery()) {
                if (!row.next()) {
                    throw new EmailAlreadyRegisteredException();
                }
                return account(row);
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot store the user account", e);
        }
    }

    /** Case-insensitive; anything that is not a registered address, valid or not, finds nothing. */
    public Optional<UserAccount> findByEmail(String email) {
        if (email == null) {
            return Optional.empty();
        }
        return findOne("email = ?", email.strip().toLowerCase(Locale.ROOT));
    }

    public Optional<UserAccount> findById(String userId) {
        return parseUserId(userId).flatMap(id -> findOne("user_id = ?", id));
    }

    /** Replaces the hash, e.g. after a password change or when {@code needsRehash} says the parameters are old. */
    public void updatePasswordHash(String userId, String passwordHash) {
        if (passwordHash == null || passwordHash.isBlank()) {
            throw new IllegalArgumentException("a password hash is required");
        }
        Optional<UUID> id = parseUserId(userId);
        if (id.isEmpty()) {
            return;
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE user_account SET password_hash = ? WHERE user_id = ?")) {
            update.setString(1, passwordHash);
            update.setObject(2, id.get());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot update the password hash", e);
        }
    }

    /** Stops the account from signing in; true when it was enabled before. */
    public boolean disable(String userId) {
        Optional<UUID> id = parseUserId(userId);
        if (id.isEmpty()) {
            return false;
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE user_account SET disabled_at = now() WHERE user_id = ? AND disabled_at IS NULL")) {
            update.setObject(1, id.get());
            return update.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new DatabaseException("cannot disable the user account", e);
        }
    }

    /** Deletes every account of the customer, and with them their refresh tokens; answers how many. */
    public int deleteForCustomer(String customerId) {
        if (customerId == null) {
            throw new IllegalArgumentException("a customer id is required");
        }
        try (Connection connection = transactions.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM user_account WHERE customer_id = ?")) {
            delete.setString(1, customerId);
            return delete.executeUpdate();
        } catch (SQLException e) {
            throw new DatabaseException("cannot delete the customer's user accounts", e);
        }
    }

    /** Whether an enabled admin exists, e.g. to decide if the first admin still has to be created. */
    public boolean anyAdmin() {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT EXISTS (SELECT 1 FROM user_account WHERE role = 'ADMIN' AND disabled_at IS NULL)");
             ResultSet row = query.executeQuery()) {
            row.next();
            return row.getBoolean(1);
        } catch (SQLException e) {
            throw new DatabaseException("cannot look for admin accounts", e);
        }
    }

    private Optional<UserAccount> findOne(String condition, Object value) {
        try (Connection connection = transactions.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT " + COLUMNS + " FROM user_account WHERE " + condition + " AND disabled_at IS NULL")) {
            query.setObject(1, value);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? Optional.of(account(row)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DatabaseException("cannot read the user account", e);
        }
    }

    private static UserAccount account(ResultSet row) throws SQLException {
        return new UserAccount(
                row.getString("user_id"),
                row.getString("customer_id"),
                row.getString("email"),
                row.getString("password_hash"),
                Role.valueOf(row.getString("role")),
                row.getObject("created_at", OffsetDateTime.class).toInstant());
    }

    private static Optional<UUID> parseUserId(String userId) {
        if (userId == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(userId));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
