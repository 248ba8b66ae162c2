package io.dynrag.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The {@code webhook-signature} header of the Standard Webhooks specification: {@code v1,<base64 of HMAC-SHA256>}
 * over {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the bytes the secret's base64 after
 * {@code whsec_} stands for. Signing the id and the timestamp with the body lets a receiver refuse a replayed
 * request and an old one. While a rotated secret is still honoured, the header carries one signature per secret,
 * separated by spaces; a receiver accepts the request when any of them matches.
 *
 * <p>Secrets made before the standard was followed are the same 32 random bytes in URL-safe base64 without
 * padding; their key is those bytes, so decoding accepts both alphabets.
 *
 * <p>Deprecated, for one release: the signatures receivers written for the earlier scheme check,
 * {@code v1=<base64>} keyed with the whole secret string as UTF-8, follow in the same header. Header names are
 * case-insensitive, so the earlier {@code Webhook-Signature} cannot be a header of its own beside the standard
 * one; standard verifiers skip entries that are not {@code v1,…} and the earlier ones skip those that are not
 * {@code v1=…}, so both kinds of receiver accept the header.
 */
public final class WebhookSignature {

    public static final String VERSION = "v1";
    private static final String SECRET_PREFIX = "whsec_";

    private WebhookSignature() {
    }

    /** The header value for the given secrets, newest first: every standard signature, then the deprecated ones. */
    public static String header(List<String> secrets, String id, long timestamp, String body) {
        return Stream.concat(secrets.stream().map(secret -> sign(secret, id, timestamp, body)),
                        secrets.stream().map(secret -> signDeprecated(secret, id, timestamp, body)))
                .collect(Collectors.joining(" "));
    }

    /** One standard signature: {@code v1,<base64>}. */
    public static String sign(String secret, String id, long timestamp, String body) {
        return VERSION + "," + hmac(key(secret), id, timestamp, body);
    }

    /** One signature as before the standard: {@code v1=<base64>}, keyed with the whole secret as text. */
    static String signDeprecated(String secret, String id, long timestamp, String body) {
        return VERSION + "=" + hmac(secret.getBytes(StandardCharsets.UTF_8), id, timestamp, body);
    }

    /** The key bytes a {@code whsec_} secret stands for, in standard base64 or, for earlier secrets, URL-safe. */
    static byte[] key(String secret) {
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a webhook secret starts with " + SECRET_PREFIX);
        }
        String encoded = secret.substring(SECRET_PREFIX.length()).replace('-', '+').replace('_', '/');
        return Base64.getDecoder().decode(encoded);
    }

    private static String hmac(byte[] key, String id, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}
