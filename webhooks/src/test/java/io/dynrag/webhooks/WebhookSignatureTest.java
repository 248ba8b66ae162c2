package io.dynrag.webhooks;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookSignatureTest {

    /** A secret as handed out now: 32 bytes in standard base64 with padding. */
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTywDPc4L1yjSn/4CBn0Hb0yqVXHwnYk=";
    /** The same 32 bytes as a secret made before the standard was followed: URL-safe, without padding. */
    private static final String EARLIER_SECRET = "whsec_MfKQ9r8GKYqrTywDPc4L1yjSn_4CBn0Hb0yqVXHwnYk";
    private static final String ID = "6f1e4f0e-2b4a-3c55-9a1e-0c8d2f0a7b11";
    private static final long TIMESTAMP = 1_764_163_200L;
    private static final String BODY = "{\"id\":\"6f1e4f0e-2b4a-3c55-9a1e-0c8d2f0a7b11\",\"type\":\"webhook.test\","
            + "\"createdAt\":\"2025-11-26T13:20:00Z\",\"data\":{}}";
    private static final Instant SIGNED_AT = Instant.ofEpochSecond(TIMESTAMP);

    @Test
    void signsIdTimestampAndBodyKeyedWithTheDecodedSecretAsTheKnownVector() {
        // Computed independently: KEY=$(printf '%s' "${SECRET#whsec_}" | base64 -d | xxd -p -c 100)
        // printf '%s' "$ID.$TIMESTAMP.$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -binary | base64
        assertThat(WebhookSignature.sign(SECRET, ID, TIMESTAMP, BODY))
                .isEqualTo("v1,Y/1TjYKxbz87k8p382nA6pcUrOdLawf5J301whkEESk=");
        assertThat(WebhookSignature.sign(EARLIER_SECRET, ID, TIMESTAMP, BODY)).as("the same key bytes")
                .isEqualTo("v1,Y/1TjYKxbz87k8p382nA6pcUrOdLawf5J301whkEESk=");
    }

    @Test
    void theDeprecatedSignatureIsKeyedWithTheWholeSecretAsBefore() {
        // printf '%s' "$ID.$TIMESTAMP.$BODY" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64
        assertThat(WebhookSignature.signDeprecated(EARLIER_SECRET, ID, TIMESTAMP, BODY))
                .isEqualTo("v1=ArDCO2IuhDVXOuQ6lTqPz892fS0GbTU+ONqNQDvt9FQ=");
        assertThat(WebhookSignature.signDeprecated(SECRET, ID, TIMESTAMP, BODY))
                .isEqualTo("v1=NIoqih0BmWT9xXYBYvfvprM94dgfgh1t+HMJiNSKyZE=");
    }

    @Test
    void theHeaderCarriesTheStandardSignatureThenTheDeprecatedOne() {
        assertThat(WebhookSignature.header(List.of(SECRET), ID, TIMESTAMP, BODY)).isEqualTo(
                "v1,Y/1TjYKxbz87k8p382nA6pcUrOdLawf5J301whkEESk= v1=NIoqih0BmWT9xXYBYvfvprM94dgfgh1t+HMJiNSKyZE=");
    }

    @Test
    void theReferenceImplementationAndTheEarlierDocumentedCheckBothAcceptTheHeader() throws Exception {
        String header = WebhookSignature.header(List.of(SECRET), ID, TIMESTAMP, BODY);

        assertThat(StandardVerification.signedWith(SECRET, ID, Long.toString(TIMESTAMP), BODY, header)).isTrue();
        assertThat(ReceiverVerification.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header, SIGNED_AT))
                .as("a receiver written for the deprecated scheme").isTrue();
        assertThat(ReceiverVerification.verify(SECRET, ID, Long.toString(TIMESTAMP), BODY, header,
                SIGNED_AT.plusSeconds(299))).as("within five minutes").isTrue();
    }

    @Test
    void theReferenceImplementationAcceptsAFreshlySignedRequestAndRefusesAnythingChanged() throws Exception {
        long now = Instant.now().getEpochSecond();
        String ts = Long.toString(now);
        String header = WebhookSignature.header(List.of(SECRET), ID, now, BODY);

        assertThat(StandardVerification.verifies(SECRET, BODY, headers(ID, ts, header))).isTrue();
        assertThat(StandardVerification.verifies(SECRET, BODY.replace("webhook.test", "document.indexed"),
                headers(ID, ts, header))).as("body").isFalse();
        assertThat(StandardVerification.verifies(SECRET, BODY, headers("another-id", ts, header))).as("id").isFalse();
        assertThat(StandardVerification.verifies(SECRET, BODY, headers(ID, Long.toString(now + 1), header)))
                .as("timestamp").isFalse();
        assertThat(StandardVerification.verifies(SECRET.replace("Mf", "Mg"), BODY, headers(ID, ts, header)))
                .as("another secret").isFalse();
        String old = Long.toString(now - 301);
        assertThat(StandardVerification.verifies(SECRET, BODY,
                headers(ID, old, WebhookSignature.header(List.of(SECRET), ID, now - 301, BODY))))
                .as("a replay after five minutes").isFalse();
    }

    @Test
    void aSecretMadeBeforeTheStandardSignsForTheReferenceImplementationInItsStandardForm() throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = WebhookSignature.header(List.of(EARLIER_SECRET), ID, now, BODY);

        assertThat(StandardVerification.standardForm(EARLIER_SECRET)).isEqualTo(SECRET);
        assertThat(StandardVerification.verifies(EARLIER_SECRET, BODY, headers(ID, Long.toString(now), header)))
                .isTrue();
        assertThat(ReceiverVerification.verify(EARLIER_SECRET, ID, Long.toString(now), BODY, header,
                Instant.ofEpochSecond(now))).as("and its receivers of the deprecated scheme still accept").isTrue();
    }

    @Test
    void afterARotationEitherSecretVerifiesTheSameRequest() throws Exception {
        String previous = "whsec_cHJldmlvdXMgc2VjcmV0LCBzdGlsbCBob25vdXJlZCBmb3IgYSBkYXk=";
        long now = Instant.now().getEpochSecond();
        String ts = Long.toString(now);
        String header = WebhookSignature.header(List.of(SECRET, previous), ID, now, BODY);

        assertThat(header.split(" ")).containsExactly(WebhookSignature.sign(SECRET, ID, now, BODY),
                WebhookSignature.sign(previous, ID, now, BODY), WebhookSignature.signDeprecated(SECRET, ID, now, BODY),
                WebhookSignature.signDeprecated(previous, ID, now, BODY));
        assertThat(StandardVerification.verifies(SECRET, BODY, headers(ID, ts, header))).isTrue();
        assertThat(StandardVerification.verifies(previous, BODY, headers(ID, ts, header))).isTrue();
        assertThat(StandardVerification.verifies("whsec_dW5yZWxhdGVkIGtleQ==", BODY, headers(ID, ts, header))).isFalse();
        assertThat(ReceiverVerification.verify(previous, ID, ts, BODY, header, Instant.ofEpochSecond(now))).isTrue();
    }

    private static Map<String, List<String>> headers(String id, String timestamp, String signature) {
        return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(timestamp),
                "webhook-signature", List.of(signature));
    }
}
