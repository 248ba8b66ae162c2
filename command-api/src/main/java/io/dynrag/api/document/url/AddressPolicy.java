package io.dynrag.api.document.url;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a URL fetch may connect to. A customer's URL must not become a way into our
 * own network: loopback, private, link-local (the cloud metadata service lives at
 * 169.254.169.254), shared (CGNAT), multicast, unspecified and reserved addresses are refused,
 * also when written as IPv6 forms that carry an IPv4 address, unless the allowlist permits them.
 */
public final class AddressPolicy {

    private record Range(AddressBlock block, String name) {
    }

    private static final List<Range> IPV4_RANGES = List.of(
            range("0.0.0.0/8", "unspecified"),
            range("10.0.0.0/8", "private"),
            range("100.64.0.0/10", "shared (CGNAT)"),
            range("127.0.0.0/8", "loopback"),
            range("169.254.0.0/16", "link-local"),
            range("172.16.0.0/12", "private"),
            range("192.0.0.0/24", "IETF protocol assignments"),
            range("192.168.0.0/16", "private"),
            range("198.18.0.0/15", "benchmarking"),
            range("224.0.0.0/4", "multicast"),
            range("240.0.0.0/4", "reserved"));

    private static final List<Range> IPV6_RANGES = List.of(
            range("::/128", "unspecified"),
            range("::1/128", "loopback"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local"),
            range("fc00::/7", "unique local"),
            range("ff00::/8", "multicast"));

    /** IPv6 prefixes whose addresses carry an IPv4 address, and where in the 16 bytes it sits. */
    private record Embedding(AddressBlock block, int offset) {
    }

    private static final List<Embedding> IPV4_EMBEDDINGS = List.of(
            new Embedding(AddressBlock.parse("::ffff:0:0/96"), 12),     // IPv4-mapped
            new Embedding(AddressBlock.parse("::/96"), 12),             // IPv4-compatible (deprecated)
            new Embedding(AddressBlock.parse("64:ff9b::/96"), 12),      // NAT64 well-known prefix
            new Embedding(AddressBlock.parse("2002::/16"), 2));         // 6to4

    private final AddressAllowlist allowlist;

    public AddressPolicy(AddressAllowlist allowlist) {
        this.allowlist = allowlist;
    }

    /**
     * @param host      the host as written in the URL
     * @param addresses every address it resolves to
     * @return the first address that may not be reached, if any; an allowed host permits all
     */
    public Optional<InetAddress> firstRefused(String host, List<InetAddress> addresses) {
        if (allowlist.permitsHost(host)) {
            return Optional.empty();
        }
        return addresses.stream()
                .filter(address -> internalRange(address).isPresent() && !allowlist.permitsAddress(address))
                .findFirst();
    }

    /**
     * Resolves the host and checks every address it has now.
     *
     * @return why the host may not be reached, or empty when it may
     */
    public Optional<String> refusal(String host) {
        try {
            return firstRefused(host, List.of(InetAddress.getAllByName(host)))
                    .map(address -> "the host " + host + " is an internal address");
        } catch (UnknownHostException e) {
            return Optional.of("the host " + host + " cannot be resolved");
        }
    }

    /** The name of the internal range the address lies in, or empty for a public address. */
    public static Optional<String> internalRange(InetAddress address) {
        if (address instanceof Inet4Address) {
            return rangeOf(IPV4_RANGES, address);
        }
        if (!(address instanceof Inet6Address)) {
            return Optional.of("unknown address family");
        }
        Optional<String> range = rangeOf(IPV6_RANGES, address);
        if (range.isPresent()) {
            return range;
        }
        for (Embedding embedding : IPV4_EMBEDDINGS) {
            if (embedding.block().contains(address)) {
                byte[] bytes = address.getAddress();
                return rangeOf(IPV4_RANGES, ipv4(Arrays.copyOfRange(bytes, embedding.offset(), embedding.offset() + 4)))
                        .map(name -> name + " (IPv4 in IPv6)");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> rangeOf(List<Range> ranges, InetAddress address) {
        return ranges.stream().filter(range -> range.block().contains(address)).map(Range::name).findFirst();
    }

    private static InetAddress ipv4(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }

    private static Range range(String block, String name) {
        return new Range(AddressBlock.parse(block), name);
    }
}
