package io.dynrag.identity.passwords;

/** A new password breaks the password policy; the message tells the user what to change. */
public class WeakPasswordException extends RuntimeException {

    public WeakPasswordException(String message) {
        super(message);
    }
}
