package io.dynrag.identity.passwords;

/**
 * What a new password must satisfy: length rather than composition rules, as NIST SP 800-63B advises.
 * Lengths count Unicode code points, so an emoji is one character.
 */
public final class PasswordPolicy {

    public static final int MIN_LENGTH = 12;
    public static final int MAX_LENGTH = 256;

    private PasswordPolicy() {
    }

    public static void check(String password) {
        if (password == null) {
            throw new WeakPasswordException("A password is required.");
        }
        int length = password.codePointCount(0, password.length());
        if (length < MIN_LENGTH) {
            throw new WeakPasswordException("The password must be at least " + MIN_LENGTH + " characters long.");
        }
        if (length > MAX_LENGTH) {
            throw new WeakPasswordException("The password must be at most " + MAX_LENGTH + " characters long.");
        }
        if (password.codePoints().allMatch(Character::isWhitespace)) {
            throw new WeakPasswordException("The password must not consist only of spaces.");
        }
    }
}
