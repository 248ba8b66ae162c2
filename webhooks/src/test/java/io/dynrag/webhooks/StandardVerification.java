package io.dynrag.webhooks;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import com.standardwebhooks.exceptions.WebhookVerificationException;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * How a receiver verifies a delivery with the reference implementation of Standard Webhooks, as docs/webhooks.md
 * shows it: the tests check deliveries against the specification rather than the signer against itself.
 */
final class StandardVerification {

    private StandardVerification() {
    }

    /** Whether the reference implementation accepts the request now, the timestamp within its five minutes. */
    static boolean verifies(String secret, String body, Map<String, List<String>> headers) throws Exception {
        try {
            new Webhook(standardForm(secret)).verify(body, headers);
            return true;
        } catch (WebhookVerificationException e) {
            return false;
        }
    }

    /**
     * Whether the signature header holds the signature the reference implementation computes with the secret,
     * whatever the time: for requests signed on a clock the test moved.
     */
    static boolean signedWith(String secret, String id, String timestamp, String body, String signatureHeader)
            throws Exception {
        String expected;
        try {
            expected = new Webhook(standardForm(secret)).sign(id, Long.parseLong(timestamp), body);
        } catch (WebhookSigningException e) {
            throw new IllegalStateException(e);
        }
        return Arrays.asList(signatureHeader.split(" ")).contains(expected);
    }

    /**
     * A secret made before the standard was followed, in the alphabet the standard's libraries decode, as
     * docs/webhooks.md tells its holders: URL-safe characters swapped, the padding added.
     */
    static String standardForm(String secret) {
        if (secret.endsWith("=")) {
            return secret;
        }
        return "whsec_" + secret.substring("whsec_".length()).replace('-', '+').replace('_', '/') + "=";
    }
}
