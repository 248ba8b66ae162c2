package io.dynrag.platform.crypto;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsTest {

    @Test
    void everySecretWeMakeIsRecognisedWhereverItStands() {
        for (String prefix : List.of("drk_", "drr_", "whsec_")) {
            for (int i = 0; i < 50; i++) {
                String secret = Secrets.newSecret(prefix);
                assertThat(Secrets.appearIn(secret)).as(secret).isTrue();
                assertThat(Secrets.appearIn("{\"keyId\":\"" + UUID.randomUUID() + "\",\"apiKey\":\"" + secret + "\"}"))
                        .isTrue();
                assertThat(Secrets.appearIn("secret=" + secret + "&x=1")).isTrue();
            }
        }
    }

    @Test
    void secretsInStandardBase64AreRecognisedWhereverTheyStand() {
        for (int i = 0; i < 200; i++) {
            String secret = Secrets.newBase64Secret("whsec_");
            assertThat(secret).hasSize("whsec_".length() + 44).endsWith("=");
            assertThat(Secrets.appearIn(secret)).as(secret).isTrue();
            assertThat(Secrets.appearIn("{\"webhookId\":\"" + UUID.randomUUID() + "\",\"secret\":\"" + secret + "\"}"))
                    .as(secret).isTrue();
            assertThat(Secrets.appearIn("secret=" + secret + "&x=1")).as(secret).isTrue();
        }
        String secret = Secrets.newBase64Secret("whsec_");
        assertThat(Secrets.appearIn(secret.substring(0, secret.length() - 2))).as("a character and the padding short")
                .isFalse();
    }

    @Test
    void signedTokensAreRecognised() {
        assertThat(Secrets.appearIn("{\"accessToken\":\"eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl\"}")).isTrue();
    }

    @Test
    void answersWithoutSecretsAreLeftAlone() {
        assertThat(Secrets.appearIn("{\"keyId\":\"" + UUID.randomUUID() + "\",\"apiKey\":null,"
                + "\"prefix\":\"drk_AbC123\",\"name\":\"crawler\",\"scopes\":[\"ingest\"]}")).isFalse();
        assertThat(Secrets.appearIn("{\"documentId\":\"" + UUID.randomUUID() + "\",\"version\":1,"
                + "\"status\":\"PENDING\"}")).isFalse();
        String secret = Secrets.newSecret("drk_");
        assertThat(Secrets.appearIn(secret.substring(0, secret.length() - 1))).as("one character short").isFalse();
        assertThat(Secrets.appearIn(secret + "x")).as("part of a longer word").isFalse();
    }

    @Test
    void aPrefixIsLowerCaseLettersAndAnUnderscore() {
        for (String prefix : List.of("", "drk", "DRK_", "d_", "drk-", "a1_", "toolongprefix_")) {
            assertThatThrownBy(() -> Secrets.newSecret(prefix)).as("'%s'", prefix)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> Secrets.newBase64Secret(prefix)).as("'%s'", prefix)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
