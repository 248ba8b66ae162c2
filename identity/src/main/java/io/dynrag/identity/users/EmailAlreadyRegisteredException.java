package io.dynrag.identity.users;

/** Another account already uses the email address (compared case-insensitively). */
public class EmailAlreadyRegisteredException extends RuntimeException {

    public EmailAlreadyRegisteredException() {
        super("An account with this email address already exists.");
    }
}
