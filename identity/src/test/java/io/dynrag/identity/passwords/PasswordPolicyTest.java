package io.dynrag.identity.passwords;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordPolicyTest {

    @Test
    void acceptsTwelveToTwoHundredFiftySixCharacters() {
        assertThatCode(() -> PasswordPolicy.check("twelve chars")).doesNotThrowAnyException();
        assertThatCode(() -> PasswordPolicy.check("x".repeat(256))).doesNotThrowAnyException();
    }

    @Test
    void refusesShortPasswords() {
        assertThatThrownBy(() -> PasswordPolicy.check("eleven char"))
                .isInstanceOf(WeakPasswordException.class)
                .hasMessage("The password must be at least 12 characters long.");
    }

    @Test
    void refusesOverlongPasswords() {
        assertThatThrownBy(() -> PasswordPolicy.check("x".repeat(257)))
                .isInstanceOf(WeakPasswordException.class)
                .hasMessage("The password must be at most 256 characters long.");
    }

    @Test
    void countsCharactersNotUtf16Units() {
        String elevenEmoji = "\uD83D\uDD11".repeat(11);

        assertThatThrownBy(() -> PasswordPolicy.check(elevenEmoji))
                .isInstanceOf(WeakPasswordException.class)
                .hasMessageContaining("at least 12");
        assertThatCode(() -> PasswordPolicy.check(elevenEmoji + "!")).doesNotThrowAnyException();
    }

    @Test
    void refusesPasswordsOfOnlyWhitespace() {
        assertThatThrownBy(() -> PasswordPolicy.check(" \t".repeat(10)))
                .isInstanceOf(WeakPasswordException.class)
                .hasMessage("The password must not consist only of spaces.");
    }

    @Test
    void refusesAMissingPassword() {
        assertThatThrownBy(() -> PasswordPolicy.check(null))
                .isInstanceOf(WeakPasswordException.class)
                .hasMessage("A password is required.");
    }
}
