package io.dynrag.platform.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The host is or resolves to an address {@link AddressPolicy} refuses, so no connection was made. An
 * {@link UnknownHostException} because it stands where a lookup's failure would: no usable address. The message
 * names the host only; the address stays in our logs.
 */
public final class RefusedAddressException extends UnknownHostException {

    private final String host;
    private final InetAddress address;

    RefusedAddressException(String host, InetAddress address) {
        super("the host '" + host + "' is or resolves to an internal address");
        this.host = host;
        this.address = address;
    }

    public String host() {
        return host;
    }

    /** The first address refused, for operators' logs; never shown to a customer. */
    public InetAddress address() {
        return address;
    }
}
