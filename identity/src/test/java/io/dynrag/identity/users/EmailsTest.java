package io.dynrag.identity.users;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmailsTest {

    @Test
    void trimsAndLowerCases() {
        assertThat(Emails.normalise("  Ann.Example+rag@Example.COM \n")).isEqualTo("ann.example+rag@example.com");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ann", "ann@", "@example.com", "ann@example", "ann@@example.com", "ann example@example.com",
            "ann@exa mple.com", "ann@example.", "ann@.com", "ann\u0000@example.com"})
    void refusesWhatCannotBeAnAddress(String email) {
        assertThatThrownBy(() -> Emails.normalise(email))
                .isInstanceOf(InvalidEmailException.class)
                .hasMessage("The email address must look like name@example.com.");
    }

    @Test
    void refusesAMissingAddress() {
        assertThatThrownBy(() -> Emails.normalise(" "))
                .isInstanceOf(InvalidEmailException.class)
                .hasMessage("An email address is required.");
    }

    @Test
    void refusesOverlongAddresses() {
        String local = "a".repeat(64);
        String domain = ("d".repeat(60) + ".").repeat(5) + "com";
        assertThat((local + "@" + domain).length()).isGreaterThan(320);

        assertThatThrownBy(() -> Emails.normalise(local + "@" + domain))
                .isInstanceOf(InvalidEmailException.class)
                .hasMessage("The email address must be at most 320 characters long.");
        assertThatThrownBy(() -> Emails.normalise("a".repeat(65) + "@example.com"))
                .isInstanceOf(InvalidEmailException.class);
        assertThat(Emails.normalise(local + "@example.com")).startsWith(local);
    }
}
