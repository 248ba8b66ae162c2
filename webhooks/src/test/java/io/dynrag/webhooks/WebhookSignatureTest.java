package io.dynrag.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTywDPc4L1yjSn_4CBn0Hb0yqVXHwnYk";
    private static final String ID = "6f1e4f0e-2b4a-3c55-9a1e-0c8d2f0a7b11";
    private static final long TIMESTAMP = 1_764_163_200L;
    private static final String BODY = "{\"id\":\"6f1e4f0e-2b4a-3c55-9a1e-0c8d2f0a7b11\",\"type\":\"webhook.test\","
            + "\"createdAt\":\"2025-11-26T13:20:00Z\",\"data\":{}}";
    private static final Instant SIGNED_AT = Instant.ofEpochSecond(TIMESTAMP);

    @Test
    void signsIdTimestampAndBodyWithHmacSha256AsTheKnownVector() {
        // Computed independently: printf '%s' "$ID.$TIMESTAMP.$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
        assertThat(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY))
                .isEqualTo("v1=ArDCO2IuhDVXOuQ6lTqPz892fS0GbTU+ONqNQDvt9FQ=");
    }

    @Test
    void theDocumentedVerificationAcceptsASignedDelivery() throws Exception {
        String header = WebhookSignature.header(List.of(SECRET), ID, TIMESTAMP, BODY);

        assertThat(header).isEqualTo(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY));
        assertThat(ReceiverVerification.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header, SIGNED_AT)).isTrue();
        assertThat(ReceiverVerification.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header,
                SIGNED_AT.plusSeconds(299))).as("within five minutes").isTrue();
    }

    @Test
    void anythingChangedOrTooOldFailsVerification() throws Exception {
        String header = WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY);
        String ts = Long.toString(TIMESTAMP);

        assertThat(ReceiverVerification.verify(SECRET, ID, ts, BODY.replace("webhook.test", "document.indexed"),
                header, SIGNED_AT)).as("body").isFalse();
        assertThat(ReceiverVerification.verify(SECRET, "another-id", ts, BODY, header, SIGNED_AT)).as("id").isFalse();
        assertThat(ReceiverVerification.verify(SECRET, ID, Long.toString(TIMESTAMP + 1), BODY, header,
                SIGNED_AT)).as("timestamp").isFalse();
        assertThat(ReceiverVerification.verify(SECRET + "x", ID, ts, BODY, header, SIGNED_AT)).as("secret").isFalse();
        assertThat(ReceiverVerification.verify(SECRET, ID, ts, BODY, header, SIGNED_AT.plusSeconds(301)))
                .as("a replay after five minutes").isFalse();
        assertThat(ReceiverVerification.verify(SECRET, ID, ts, BODY, header.replace("v1=", "v0="), SIGNED_AT))
                .as("an unknown scheme").isFalse();
    }

    @Test
    void afterARotationEitherSecretVerifiesTheSameRequest() throws Exception {
        String previous = "whsec_previous-secret-still-honoured-for-a-day0";
        String header = WebhookSignature.header(List.of(SECRET, previous), ID, TIMESTAMP, BODY);

        assertThat(header.split(" ")).containsExactly(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY),
                WebhookSignature.sign(previous, ID, TIMESTAMP, BODY));
        String ts = Long.toString(TIMESTAMP);
        assertThat(ReceiverVerification.verify(SECRET, ID, ts, BODY, header, SIGNED_AT)).isTrue();
        assertThat(ReceiverVerification.verify(previous, ID, ts, BODY, header, SIGNED_AT)).isTrue();
        assertThat(ReceiverVerification.verify("whsec_unrelated", ID, ts, BODY, header, SIGNED_AT)).isFalse();
    }
}
