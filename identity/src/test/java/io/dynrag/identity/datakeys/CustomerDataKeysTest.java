package io.dynrag.identity.datakeys;

import io.dynrag.platform.crypto.DecryptionFailedException;
import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import io.dynrag.platform.testing.TestDatabase;
import org.axonframework.common.transaction.Transaction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerDataKeysTest {

    private final TestDatabase database = TestDatabase.get();
    private final ThreadBoundTransactionManager transactions = database.transactions();
    private final KeyEncryptionKeys keks = KeyEncryptionKeys.generate("k1");
    private final CustomerDataKeys dataKeys = new CustomerDataKeys(transactions, new KeyEncryption(keks));

    @BeforeEach
    void emptyTables() {
        database.truncate("customer_data_key");
    }

    @Test
    void decryptsWhatItEncrypted() {
        dataKeys.create("cust-a");

        EncryptedValue value = dataKeys.encrypt("cust-a", "Ann Example, ann@example.com");

        assertThat(value.ciphertext()).doesNotContain("Ann");
        assertThat(dataKeys.decrypt("cust-a", value)).contains("Ann Example, ann@example.com");
    }

    @Test
    void theKeyIsStoredWrappedByTheKeyEncryptionKey() {
        dataKeys.create("cust-a");

        byte[] wrapped = database.queryOne("SELECT wrapped_key FROM customer_data_key WHERE customer_id = ?", byte[].class, "cust-a");

        assertThat(new KeyEncryption(keks).keyIdOf(wrapped)).isEqualTo("k1");
        assertThat(new KeyEncryption(keks).open(wrapped, "customer-data-key:cust-a")).hasSize(32);
    }

    @Test
    void creatingAgainKeepsTheExistingKey() {
        dataKeys.create("cust-a");
        EncryptedValue value = dataKeys.encrypt("cust-a", "secret");

        dataKeys.create("cust-a");

        assertThat(dataKeys.decrypt("cust-a", value)).contains("secret");
    }

    @Test
    void aValueOfOneCustomerCannotBeReadAsAnother() {
        dataKeys.create("cust-a");
        dataKeys.create("cust-b");
        EncryptedValue ofA = dataKeys.encrypt("cust-a", "secret");
        EncryptedValue ofB = dataKeys.encrypt("cust-b", "other");
        EncryptedValue relabelled = new EncryptedValue(ofB.keyId(), ofA.ciphertext());

        assertThatThrownBy(() -> dataKeys.decrypt("cust-b", ofA)).isInstanceOf(DecryptionFailedException.class);
        assertThatThrownBy(() -> dataKeys.decrypt("cust-b", relabelled)).isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void anAlteredValueIsRefused() {
        dataKeys.create("cust-a");
        EncryptedValue value = dataKeys.encrypt("cust-a", "secret");
        byte[] bytes = Base64.getDecoder().decode(value.ciphertext());
        bytes[bytes.length - 1] ^= 1;
        EncryptedValue altered = new EncryptedValue(value.keyId(), Base64.getEncoder().encodeToString(bytes));

        assertThatThrownBy(() -> dataKeys.decrypt("cust-a", altered))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessageNotContaining("secret");
    }

    @Test
    void destroyingTheKeyShredsEveryValue() {
        dataKeys.create("cust-a");
        EncryptedValue value = dataKeys.encrypt("cust-a", "secret");

        dataKeys.destroy("cust-a");

        assertThat(dataKeys.decrypt("cust-a", value)).isEmpty();
        assertThat(dataKeys.isDestroyed("cust-a")).isTrue();
        assertThat(database.queryOne("SELECT wrapped_key IS NULL AND destroyed_at IS NOT NULL FROM customer_data_key WHERE customer_id = ?",
                Boolean.class, "cust-a")).isTrue();
        assertThatThrownBy(() -> dataKeys.encrypt("cust-a", "more"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("destroyed");
    }

    @Test
    void aDestroyedKeyIsNeverRecreated() {
        dataKeys.create("cust-a");
        dataKeys.destroy("cust-a");
        dataKeys.destroy("cust-a");

        dataKeys.create("cust-a");

        assertThat(dataKeys.isDestroyed("cust-a")).isTrue();
    }

    @Test
    void destroyingANeverCreatedKeyLeavesATombstone() {
        dataKeys.destroy("cust-x");

        assertThat(dataKeys.isDestroyed("cust-x")).isTrue();
        dataKeys.create("cust-x");
        assertThat(dataKeys.isDestroyed("cust-x")).isTrue();
    }

    @Test
    void shreddedAndNeverExistedAreDifferent() {
        assertThat(dataKeys.isDestroyed("nobody")).isFalse();
        assertThatThrownBy(() -> dataKeys.encrypt("nobody", "x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no data key");
    }

    @Test
    void joinsTheCallersTransaction() {
        Transaction transaction = transactions.startTransaction();
        dataKeys.create("cust-a");
        transaction.rollback();

        assertThat(database.queryOne("SELECT count(*) FROM customer_data_key", Long.class)).isZero();
    }
}
