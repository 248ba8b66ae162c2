package io.dynrag.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Random bearer secrets and their stored form. */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern PREFIX = Pattern.compile("[a-z]{2,10}_");
    /**
     * What {@link #newSecret} makes, standing alone: a prefix as {@link #PREFIX}, then the 43 characters of 32
     * bytes in URL-safe base64; or what {@link #newBase64Secret} makes: the 44 characters of 32 bytes in standard
     * base64, the last one the padding.
     */
    private static final Pattern SECRET = Pattern.compile(
            "(?<![A-Za-z0-9_-])[a-z]{2,10}_(?:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])|[A-Za-z0-9+/]{43}=)");
    /** A signed token (an access token): three base64url parts, the first two JSON objects. */
    private static final Pattern SIGNED_TOKEN = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.eyJ[A-Za-z0-9_-]*\\.");

    private Secrets() {
    }

    /**
     * 256 random bits, URL-safe, with a readable prefix that says what the secret is.
     *
     * @param prefix 2 to 10 lower-case letters and an underscore, such as {@code drk_}
     */
    public static String newSecret(String prefix) {
        return prefix(prefix) + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes());
    }

    /**
     * 256 random bits in standard base64 with padding, after the prefix: for formats that prescribe that alphabet,
     * such as the {@code whsec_} secrets of Standard Webhooks, whose receivers decode what follows the prefix.
     */
    public static String newBase64Secret(String prefix) {
        return prefix(prefix) + Base64.getEncoder().encodeToString(randomBytes());
    }

    private static String prefix(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("a secret's prefix is 2 to 10 lower-case letters and '_', not "
                    + prefix);
        }
        return prefix;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    /**
     * SHA-256 in hex. A plain fast hash is right here: the secrets are 256-bit random
     * values, so there is nothing to brute-force, unlike passwords.
     */
    public static String sha256Hex(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /**
     * Whether {@code text} shows one of our secrets or tokens, by their shape: a last check before something is
     * kept that must never hold one. Text that merely looks like one (quoted in a customer's document, say) is
     * taken for one too.
     */
    public static boolean appearIn(String text) {
        return SECRET.matcher(text).find() || SIGNED_TOKEN.matcher(text).find();
    }

    public static boolean sameHash(String hexA, String hexB) {
        return MessageDigest.isEqual(hexA.getBytes(StandardCharsets.US_ASCII), hexB.getBytes(StandardCharsets.US_ASCII));
    }
}
