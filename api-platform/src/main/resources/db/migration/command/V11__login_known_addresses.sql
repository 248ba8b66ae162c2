-- The client addresses (IPv6: /64 networks) each user signed in from with their password. A guess of one
-- account's password spread over many addresses slows down the account's sign-ins from unknown addresses
-- only, so the owner is never held up at an address they use. Rows go with their user, and are deleted
-- once they are no longer recent enough to count.
CREATE TABLE login_known_address (
    user_id         UUID         NOT NULL REFERENCES user_account (user_id) ON DELETE CASCADE,
    address         VARCHAR(64)  NOT NULL,
    last_success_at TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (user_id, address)
);
