package io.dynrag.platform.http;

import io.javalin.http.Context;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;

/**
 * The address of the client a request comes from, resolved once per request before any handler: the
 * connection's peer, or behind a trusted reverse proxy the address the proxies name ({@link TrustedProxies}).
 * Everything that tells clients apart by address (the sign-in and sign-up throttles) asks here.
 */
public final class ClientAddress {

    static final String ATTRIBUTE = "dynrag.clientAddress";

    private ClientAddress() {
    }

    static void resolve(Context ctx, TrustedProxies proxies) {
        String remote = ctx.req().getRemoteAddr();
        // A link-local IPv6 peer carries its interface (fe80::1%eth0), which says nothing about the client.
        InetAddress peer = TrustedProxies.literal(remote.replaceFirst("%[^\\]]*", ""));
        if (peer == null) {
            throw new IllegalStateException("the server reported a peer address that is not an IP address: " + remote);
        }
        List<String> forwardedFor = Collections.list(ctx.req().getHeaders(TrustedProxies.FORWARDED_FOR));
        ctx.attribute(ATTRIBUTE, proxies.clientAddress(peer, forwardedFor));
    }

    public static InetAddress of(Context ctx) {
        InetAddress address = ctx.attribute(ATTRIBUTE);
        if (address == null) {
            throw new IllegalStateException("the client address is resolved before every handler");
        }
        return address;
    }
}
