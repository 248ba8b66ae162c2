package io.dynrag.identity.users;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one spelling under which an email address is stored and looked up: trimmed and lower-cased, so
 * {@code Ann@Example.com} and {@code ann@example.com} are the same account. The check is deliberately
 * shallow; only a confirmation mail could prove an address works.
 */
public final class Emails {

    public static final int MAX_LENGTH = 320;
    private static final int MAX_LOCAL_PART = 64;
    private static final Pattern SHAPE = Pattern.compile("[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}.]+(\\.[^@\\s\\p{Cntrl}.]+)+");

    private Emails() {
    }

    public static String normalise(String email) {
        if (email == null || email.isBlank()) {
            throw new InvalidEmailException("An email address is required.");
        }
        String normalised = email.strip().toLowerCase(Locale.ROOT);
        if (normalised.length() > MAX_LENGTH) {
            throw new InvalidEmailException("The email address must be at most " + MAX_LENGTH + " characters long.");
        }
        if (!SHAPE.matcher(normalised).matches() || normalised.indexOf('@') > MAX_LOCAL_PART) {
            throw new InvalidEmailException("The email address must look like name@example.com.");
        }
        return normalised;
    }
}
