package io.dynrag.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@code Webhook-Signature} header: {@code v1=<base64 of HMAC-SHA256>} over
 * {@code <Webhook-Id>.<Webhook-Timestamp>.<body>}, keyed with the webhook's secret as UTF-8 text (the whole
 * {@code whsec_…} string). Signing the id and the timestamp with the body lets a receiver refuse a replayed
 * request and an old one. While a rotated secret is still honoured, the header carries one signature per
 * secret, separated by spaces; a receiver accepts the request when any of them matches.
 */
public final class WebhookSignature {

    public static final String VERSION = "v1";

    private WebhookSignature() {
    }

    /** The header value for the given secrets, newest first. */
    public static String header(List<String> secrets, String id, long timestamp, String body) {
        return secrets.stream().map(secret -> sign(secret, id, timestamp, body)).collect(Collectors.joining(" "));
    }

    /** One signature: {@code v1=<base64>}. */
    public static String sign(String secret, String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return VERSION + "=" + Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}
