package io.dynrag.platform.idempotency;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RequestFingerprintTest {

    private static final byte[] BODY = RequestFingerprint.body("{\"name\":\"crawler\"}".getBytes(StandardCharsets.UTF_8));

    @Test
    void theBodyHashIsItsSha256() {
        assertThat(HexFormat.of().formatHex(RequestFingerprint.body("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void sameRequestSameFingerprint() {
        assertThat(RequestFingerprint.of("POST", "/v1/api-keys", "apiKey:1", BODY))
                .isEqualTo(RequestFingerprint.of("POST", "/v1/api-keys", "apiKey:1", BODY));
    }

    @Test
    void anyDifferenceChangesIt() {
        byte[] fingerprint = RequestFingerprint.of("POST", "/v1/api-keys", "apiKey:1", BODY);
        byte[] otherBody = RequestFingerprint.body("{\"name\":\"crawlers\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(RequestFingerprint.of("POST", "/v1/api-keys", "apiKey:1", otherBody)).isNotEqualTo(fingerprint);
        assertThat(RequestFingerprint.of("POST", "/v1/webhooks", "apiKey:1", BODY)).isNotEqualTo(fingerprint);
        assertThat(RequestFingerprint.of("POST", "/v1/api-keys", "apiKey:2", BODY)).isNotEqualTo(fingerprint);
        assertThat(RequestFingerprint.of("PUT", "/v1/api-keys", "apiKey:1", BODY)).isNotEqualTo(fingerprint);
    }

    @Test
    void fieldsCannotTradeCharacters() {
        assertThat(RequestFingerprint.of("POST", "/v1/ab", "c", BODY))
                .isNotEqualTo(RequestFingerprint.of("POST", "/v1/a", "bc", BODY));
    }

    @Test
    void aStoredResponseSurvivesItsEncoding() {
        StoredResponse response = new StoredResponse(201, "application/json", Map.of("Location", "/v1/x"),
                "{\"id\":\"é\"}".getBytes(StandardCharsets.UTF_8));
        StoredResponse read = StoredResponse.fromBytes(response.toBytes());
        assertThat(read.status()).isEqualTo(201);
        assertThat(read.contentType()).isEqualTo("application/json");
        assertThat(read.headers()).containsExactly(Map.entry("Location", "/v1/x"));
        assertThat(read.body()).isEqualTo(response.body());
        StoredResponse empty = StoredResponse.fromBytes(new StoredResponse(204, null, Map.of(), new byte[0]).toBytes());
        assertThat(empty.contentType()).isNull();
        assertThat(empty.body()).isEmpty();
    }
}
