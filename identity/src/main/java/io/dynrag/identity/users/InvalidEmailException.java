package io.dynrag.identity.users;

/** An email address that cannot be an account's address; the message tells the user why. */
public class InvalidEmailException extends RuntimeException {

    public InvalidEmailException(String message) {
        super(message);
    }
}
