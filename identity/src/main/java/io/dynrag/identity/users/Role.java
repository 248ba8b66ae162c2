package io.dynrag.identity.users;

/** A customer user acts inside its own tenant; an admin runs the platform and belongs to no tenant. */
public enum Role {
    CUSTOMER,
    ADMIN
}
