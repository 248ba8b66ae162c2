package io.dynrag.identity.users;

import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.platform.testing.TestDatabase;
import org.axonframework.common.transaction.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserAccountsTest {

    private static final String HASH = "$argon2id$v=19$m=32768,t=2,p=1$c2FsdA$aGFzaA";

    private final TestDatabase database = TestDatabase.get();
    private final ThreadBoundTransactionManager transactions = database.transactions();
    private final UserAccounts users = new UserAccounts(transactions);

    @BeforeEach
    void emptyTables() {
        database.truncate("user_account");
    }

    @Test
    void storesAndFindsAnAccount() {
        UserAccount created = users.create("cust-a", " Ann@Example.com ", HASH, Role.CUSTOMER);

        assertThat(created.email()).isEqualTo("ann@example.com");
        assertThat(created.customerId()).isEqualTo("cust-a");
        assertThat(created.role()).isEqualTo(Role.CUSTOMER);
        assertThat(created.createdAt()).isBetween(Instant.now().minus(Duration.ofMinutes(1)), Instant.now().plusSeconds(1));
        assertThat(users.findById(created.userId())).contains(created);
        assertThat(users.findByEmail("ann@example.com")).contains(created);
    }

    @Test
    void emailLookupIgnoresCaseAndSurroundingSpace() {
        UserAccount created = users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);

        assertThat(users.findByEmail("  ANN@Example.COM")).contains(created);
        assertThat(users.findByEmail("bob@example.com")).isEmpty();
        assertThat(users.findByEmail("not an address")).isEmpty();
        assertThat(users.findByEmail(null)).isEmpty();
    }

    @Test
    void anEmailCanBeRegisteredOnceWhateverItsCase() {
        users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);

        assertThatThrownBy(() -> users.create("cust-b", "ANN@example.com", HASH, Role.CUSTOMER))
                .isInstanceOf(EmailAlreadyRegisteredException.class);
        assertThatThrownBy(() -> users.create(null, "Ann@Example.com", HASH, Role.ADMIN))
                .isInstanceOf(EmailAlreadyRegisteredException.class);
    }

    @Test
    void aDuplicateLeavesTheCallersTransactionUsable() {
        users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);
        Transaction transaction = transactions.startTransaction();
        try {
            assertThatThrownBy(() -> users.create("cust-b", "ann@example.com", HASH, Role.CUSTOMER))
                    .isInstanceOf(EmailAlreadyRegisteredException.class);
            users.create("cust-b", "bob@example.com", HASH, Role.CUSTOMER);
        } finally {
            transaction.commit();
        }

        assertThat(users.findByEmail("bob@example.com")).isPresent();
    }

    @Test
    void joinsTheCallersTransaction() {
        Transaction transaction = transactions.startTransaction();
        users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);
        transaction.rollback();

        assertThat(users.findByEmail("ann@example.com")).isEmpty();
    }

    @Test
    void adminsHaveNoCustomerAndCustomersNeedOne() {
        assertThatThrownBy(() -> users.create("cust-a", "root@example.com", HASH, Role.ADMIN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> users.create(null, "ann@example.com", HASH, Role.CUSTOMER))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> users.create("cust-a", "not-an-email", HASH, Role.CUSTOMER))
                .isInstanceOf(InvalidEmailException.class);
    }

    @Test
    void tellsWhetherAnEnabledAdminExists() {
        assertThat(users.anyAdmin()).isFalse();
        users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);
        assertThat(users.anyAdmin()).isFalse();

        UserAccount admin = users.create(null, "root@example.com", HASH, Role.ADMIN);
        assertThat(users.anyAdmin()).isTrue();
        assertThat(admin.customerId()).isNull();

        users.disable(admin.userId());
        assertThat(users.anyAdmin()).isFalse();
    }

    @Test
    void replacesThePasswordHash() {
        UserAccount created = users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);

        users.updatePasswordHash(created.userId(), "$argon2id$new");

        assertThat(users.findById(created.userId())).hasValueSatisfying(
                account -> assertThat(account.passwordHash()).isEqualTo("$argon2id$new"));
    }

    @Test
    void disabledAccountsCannotBeFoundButKeepTheirAddress() {
        UserAccount created = users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);

        assertThat(users.disable(created.userId())).isTrue();
        assertThat(users.disable(created.userId())).isFalse();

        assertThat(users.findById(created.userId())).isEmpty();
        assertThat(users.findByEmail("ann@example.com")).isEmpty();
        assertThatThrownBy(() -> users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER))
                .isInstanceOf(EmailAlreadyRegisteredException.class);
    }

    @Test
    void deletesEveryAccountOfOneCustomer() {
        users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);
        users.create("cust-a", "al@example.com", HASH, Role.CUSTOMER);
        UserAccount other = users.create("cust-b", "bob@example.com", HASH, Role.CUSTOMER);

        assertThat(users.deleteForCustomer("cust-a")).isEqualTo(2);

        assertThat(users.findByEmail("ann@example.com")).isEmpty();
        assertThat(users.findById(other.userId())).isPresent();
        assertThat(users.deleteForCustomer("cust-a")).isZero();
    }

    @Test
    void unknownOrMalformedIdsFindNothing() {
        assertThat(users.findById("00000000-0000-0000-0000-000000000000")).isEmpty();
        assertThat(users.findById("not-a-uuid")).isEmpty();
        assertThat(users.findById(null)).isEmpty();
    }

    @Test
    void toStringLeavesThePasswordHashOut() {
        UserAccount created = users.create("cust-a", "ann@example.com", HASH, Role.CUSTOMER);

        assertThat(created.toString()).contains("ann@example.com").doesNotContain(HASH).doesNotContain("argon2");
    }
}
