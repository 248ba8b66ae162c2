package io.dynrag.api.auth;

/**
 * Who is calling. A customer principal acts only inside its own tenant; the admin has no
 * tenant and may only use admin endpoints.
 */
public sealed interface Principal {

    record Admin() implements Principal {
    }

    record CustomerKey(String customerId, String keyId) implements Principal {
    }
}
