package io.dynrag.identity.passwords;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.password4j.Argon2Function;
import com.password4j.types.Argon2;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordHasherTest {

    private static final PasswordHasher HASHER = new PasswordHasher();
    private static final String PASSWORD = "correct horse battery staple";

    @Test
    void hashesWithArgon2idAndTheConfiguredParameters() {
        String hash = HASHER.hash(PASSWORD);

        assertThat(hash).startsWith("$argon2id$v=19$m=32768,t=2,p=1$");
        assertThat(hash).doesNotContain(PASSWORD);
    }

    @Test
    void verifiesTheRightPasswordOnly() {
        String hash = HASHER.hash(PASSWORD);

        assertThat(HASHER.verify(PASSWORD, hash)).isTrue();
        assertThat(HASHER.verify(PASSWORD + " ", hash)).isFalse();
        assertThat(HASHER.verify("Correct horse battery staple", hash)).isFalse();
    }

    @Test
    void everyHashHasItsOwnSalt() {
        assertThat(HASHER.hash(PASSWORD)).isNotEqualTo(HASHER.hash(PASSWORD));
    }

    @Test
    void equivalentUnicodeSpellingsOfAPasswordMatch() {
        String composed = "caf\u00e9 au lait, s'il vous pla\u00eet";
        String decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t";

        assertThat(HASHER.verify(decomposed, HASHER.hash(composed))).isTrue();
        assertThat(HASHER.verify("pro\ufb01le-password-1", HASHER.hash("profile-password-1"))).isTrue();
    }

    @Test
    void aHashWithOlderParametersStillVerifiesAndAsksForARehash() {
        String old = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.ID, Argon2Function.ARGON2_VERSION_13)
                .hash(PASSWORD.getBytes(StandardCharsets.UTF_8), "0123456789abcdef".getBytes(StandardCharsets.UTF_8))
                .getResult();

        assertThat(HASHER.verify(PASSWORD, old)).isTrue();
        assertThat(HASHER.verify("wrong password!", old)).isFalse();
        assertThat(HASHER.needsRehash(old)).isTrue();
        assertThat(HASHER.needsRehash(HASHER.hash(PASSWORD))).isFalse();
    }

    @Test
    void anythingButAnArgon2idHashMatchesNothing() {
        String argon2i = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.I, Argon2Function.ARGON2_VERSION_13)
                .hash(PASSWORD.getBytes(StandardCharsets.UTF_8), "0123456789abcdef".getBytes(StandardCharsets.UTF_8))
                .getResult();

        assertThat(HASHER.verify(PASSWORD, argon2i)).isFalse();
        assertThat(HASHER.verify(PASSWORD, "$argon2id$garbage")).isFalse();
        assertThat(HASHER.verify(PASSWORD, "$2a$10$abcdefghijklmnopqrstuu")).isFalse();
        assertThat(HASHER.verify(PASSWORD, null)).isFalse();
        assertThat(HASHER.needsRehash(argon2i)).isTrue();
        assertThat(HASHER.needsRehash("not a hash")).isTrue();
    }

    @Test
    void burningTimeChecksAgainstARealHashWithTheCurrentParameters() {
        String dummy = HASHER.dummyHash();

        assertThat(dummy).startsWith("$argon2id$");
        assertThat(HASHER.needsRehash(dummy)).isFalse();
        assertThat(HASHER.verify(PASSWORD, dummy)).isFalse();
        HASHER.burnEquivalentTime(PASSWORD);
    }

    @Test
    void hashingLogsNothingAboutMissingConfiguration() {
        Logger password4j = (Logger) LoggerFactory.getLogger("com.password4j");
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        password4j.addAppender(events);
        try {
            PasswordHasher hasher = new PasswordHasher();
            String hash = hasher.hash(PASSWORD);
            hasher.verify(PASSWORD, hash);
            hasher.burnEquivalentTime(PASSWORD);
            hasher.needsRehash(hash);
        } finally {
            password4j.detachAppender(events);
        }

        assertThat(events.list).noneMatch(event -> event.getLevel().isGreaterOrEqual(Level.WARN));
    }
}
