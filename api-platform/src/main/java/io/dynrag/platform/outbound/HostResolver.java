package io.dynrag.platform.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Where a host name leads: the system's resolver in production; tests stand in for DNS with one that answers
 * what they need (a name that switches to another address between two lookups, for instance).
 */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @param host a name or an address literal (IPv6 without brackets)
     * @return every address it resolves to, at least one
     * @throws UnknownHostException when it resolves to none
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
