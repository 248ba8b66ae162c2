package io.dynrag.identity.auth;

import io.dynrag.identity.passwords.PasswordHasher;
import io.dynrag.identity.passwords.PasswordPolicy;
import io.dynrag.identity.users.Emails;
import io.dynrag.identity.users.Role;
import io.dynrag.identity.users.UserAccount;
import io.dynrag.identity.users.UserAccounts;

/** Operator accounts: users with the admin role and no tenant. */
public final class AdminAccounts {

    private final UserAccounts users;
    private final PasswordHasher passwords;

    public AdminAccounts(UserAccounts users, PasswordHasher passwords) {
        this.users = users;
        this.passwords = passwords;
    }

    /**
     * @throws io.dynrag.identity.users.EmailAlreadyRegisteredException when the email has an account
     * @throws io.dynrag.identity.passwords.WeakPasswordException       when the password breaks the policy
     */
    public UserAccount create(String email, String password) {
        PasswordPolicy.check(password);
        return users.create(null, Emails.normalise(email), passwords.hash(password), Role.ADMIN);
    }

    /** Creates the first admin from configuration, once: nothing happens when any admin exists. */
    public boolean bootstrap(String email, String password) {
        if (email == null || email.isBlank() || password == null || users.anyAdmin()) {
            return false;
        }
        create(email, password);
        return true;
    }
}
