package io.dynrag.identity.tokens;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;

/** Signing keys and access tokens of one API instance over the shared test database. */
final class TokenFixture {

    static final TokenSettings SETTINGS = TokenSettings.withDefaultLifetimes("https://api.dynrag.test", "dynrag-api");
    static final KeyEncryption KEY_ENCRYPTION = new KeyEncryption(KeyEncryptionKeys.generate("test-kek"));

    final MutableClock clock;
    final SigningKeys signingKeys;
    final AccessTokens accessTokens;

    TokenFixture(MutableClock clock) {
        this.clock = clock;
        this.signingKeys = new SigningKeys(TestDatabase.get().transactions(), KEY_ENCRYPTION, clock, SETTINGS);
        this.accessTokens = new AccessTokens(signingKeys, SETTINGS, clock);
    }
}
