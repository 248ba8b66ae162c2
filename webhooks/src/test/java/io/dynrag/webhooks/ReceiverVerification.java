package io.dynrag.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

/**
 * How a receiver written for the deprecated {@code v1=} scheme verifies a delivery, independently of
 * {@link WebhookSignature} and exactly as docs/webhooks.md showed it before deliveries followed Standard Webhooks:
 * such receivers must keep working for a release.
 */
final class ReceiverVerification {

    private ReceiverVerification() {
    }

    static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader,
                          Instant now) throws GeneralSecurityException {
        long age = Math.abs(now.getEpochSecond() - Long.parseLong(timestamp));
        if (age > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        for (String signature : signatureHeader.split(" ")) {
            if (signature.startsWith("v1=")
                    && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
                return true;
            }
        }
        return false;
    }
}
