package io.dynrag.platform.http;

import io.dynrag.platform.outbound.AddressBlock;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reverse proxies whose {@value #FORWARDED_FOR} we believe ({@code DYNRAG_TRUSTED_PROXIES}). Behind a proxy
 * every request comes from the proxy's address; the client's address is only in the header, which anyone can
 * also write. So the header is read only when the connection comes from a trusted proxy, and then from the
 * right: each proxy appends the address it was connected from, so the right-most address that is not a trusted
 * proxy is the first one no trusted party vouches for, the client as far as we can know. Whatever a client wrote
 * into the header itself stands to the left of that and is never reached.
 */
public record TrustedProxies(List<AddressBlock> blocks) {

    public static final String FORWARDED_FOR = "X-Forwarded-For";
    /** Believe no one: the client is the connection's peer. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    /** {@code 203.0.113.7}, {@code [2001:db8::1]}, and either with a port, as some proxies write them. */
    private static final Pattern BRACKETED_WITH_PORT = Pattern.compile("\\[([^\\]]+)](?::\\d{1,5})?");
    private static final Pattern IPV4_WITH_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d{1,5}");
    /**
     * What an IPv4 or IPv6 literal can look like; anything else is refused before parsing, as the JDK asks DNS
     * about some strings that are neither (one starting with a dot, say).
     */
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]{0,44}");

    public TrustedProxies {
        blocks = List.copyOf(blocks);
    }

    /**
     * @param setting comma-separated IPv4 or IPv6 addresses and CIDR blocks, e.g. {@code 10.0.0.0/8,fd00::/8};
     *                null or blank for none
     * @throws IllegalArgumentException naming the entry that is not an address or block, or that trusts everyone
     */
    public static TrustedProxies parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        List<AddressBlock> blocks = new ArrayList<>();
        for (String raw : setting.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            AddressBlock block = AddressBlock.parse(entry);
            // With every address trusted, the left-most entry (written by the client) would be believed.
            if (block.prefixLength() == 0) {
                throw new IllegalArgumentException("'" + entry + "' trusts every address, which would let any "
                        + "client choose its address; name the proxies' own addresses or networks");
            }
            blocks.add(block);
        }
        return new TrustedProxies(blocks);
    }

    /**
     * @param peer         the address the connection comes from
     * @param forwardedFor every {@value #FORWARDED_FOR} header of the request, in order (each may list several
     *                     addresses, comma-separated)
     * @return the right-most address that is not a trusted proxy, walking from the peer leftwards through the
     *         header; the left-most address when all are trusted; the last trusted hop when the next entry to its
     *         left is not an address (that hop wrote it, so nothing further left can be vouched for)
     */
    public InetAddress clientAddress(InetAddress peer, List<String> forwardedFor) {
        if (!trusts(peer) || forwardedFor.isEmpty()) {
            return peer;
        }
        String[] entries = String.join(",", forwardedFor).split(",");
        InetAddress nearest = peer;
        for (int i = entries.length - 1; i >= 0; i--) {
            InetAddress hop = literal(entries[i].strip());
            if (hop == null) {
                return nearest;
            }
            if (!trusts(hop)) {
                return hop;
            }
            nearest = hop;
        }
        return nearest;
    }

    private boolean trusts(InetAddress address) {
        return blocks.stream().anyMatch(block -> block.contains(address));
    }

    /** An IP address as proxies write it, never looked up in DNS; null for anything else. */
    static InetAddress literal(String text) {
        String address = text;
        Matcher bracketed = BRACKETED_WITH_PORT.matcher(text);
        Matcher ipv4 = IPV4_WITH_PORT.matcher(text);
        if (bracketed.matches()) {
            address = bracketed.group(1);
        } else if (ipv4.matches()) {
            address = ipv4.group(1);
        }
        if (!LITERAL.matcher(address).matches()) {
            return null;
        }
        try {
            return AddressBlock.parse(address).network();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return String.join(",", blocks.stream().map(AddressBlock::toString).toList());
    }
}
