package io.dynrag.platform.outbound;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses a request to a customer's URL may connect to. A customer's URL must not become a way into our
 * own network: loopback, private, link-local (the cloud metadata service lives at 169.254.169.254), shared
 * (CGNAT), multicast, unspecified and reserved addresses are refused, also when written as IPv6 forms that carry
 * an IPv4 address, and so is IPv6 outside global unicast, unless the allowlist permits them.
 *
 * <p>{@link #resolve(String)} is what connections use: it resolves the host once and returns the addresses only
 * if every one may be reached, so a caller that connects to exactly those (see {@link GuardedHttpClient}) goes
 * where the policy looked.
 */
public final class AddressPolicy {

    private static final Logger log = LoggerFactory.getLogger(AddressPolicy.class);

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
            range("100::/64", "discard-only"),
            range("fe80::/10", "link-local"),
            range("fec0::/10", "site-local"),
            range("fc00::/7", "unique local"),
            range("ff00::/8", "multicast"));

    /**
     * An IPv6 prefix whose addresses carry an IPv4 address: four bytes from {@code offset}, inverted when
     * {@code obfuscated}. Such an address is judged by its IPv4 address; one in a {@code refused} prefix is
     * refused whatever it carries, which then only names the reason in the log.
     */
    private record Embedding(AddressBlock block, String name, int offset, boolean obfuscated, boolean refused) {

        InetAddress ipv4(InetAddress address) {
            byte[] bytes = new byte[4];
            System.arraycopy(address.getAddress(), offset, bytes, 0, 4);
            for (int i = 0; obfuscated && i < 4; i++) {
                bytes[i] = (byte) ~bytes[i];
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
            }
        }
    }

    private static final List<Embedding> IPV4_EMBEDDINGS = List.of(
            new Embedding(AddressBlock.parse("::ffff:0:0/96"), "IPv4-mapped", 12, false, false),
            new Embedding(AddressBlock.parse("::ffff:0:0:0/96"), "IPv4-translated", 12, false, false),
            new Embedding(AddressBlock.parse("::/96"), "IPv4-compatible", 12, false, false),
            new Embedding(AddressBlock.parse("64:ff9b::/96"), "NAT64", 12, false, false),
            // Local-use NAT64 leads through a translator in our own network, to whatever IPv4 address it carries;
            // most deployments put that address in the last four bytes (a /96 within the /48).
            new Embedding(AddressBlock.parse("64:ff9b:1::/48"), "local-use NAT64", 12, false, true),
            new Embedding(AddressBlock.parse("2002::/16"), "6to4", 2, false, false),
            // Teredo tunnels through relays to the client's IPv4 address, stored inverted in the last four bytes.
            new Embedding(AddressBlock.parse("2001::/32"), "Teredo", 12, true, true));

    /** Where public IPv6 addresses are allocated; everything else is reserved or special. */
    private static final AddressBlock GLOBAL_UNICAST = AddressBlock.parse("2000::/3");

    private final AddressAllowlist allowlist;
    private final HostResolver resolver;

    public AddressPolicy(AddressAllowlist allowlist) {
        this(allowlist, HostResolver.SYSTEM);
    }

    /** @param resolver how host names are resolved: the system's, or a test's stand-in for DNS */
    public AddressPolicy(AddressAllowlist allowlist, HostResolver resolver) {
        this.allowlist = allowlist;
        this.resolver = resolver;
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
     * Resolves the host once and checks every address it has now.
     *
     * @param host a name or an address literal, IPv6 with or without brackets
     * @return the addresses, all of which may be reached: connect to these and no others
     * @throws RefusedAddressException when any of them may not be reached
     * @throws UnknownHostException    when the host resolves to nothing
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        List<InetAddress> addresses = resolver.resolve(name);
        if (addresses.isEmpty()) {
            throw new UnknownHostException(name);
        }
        Optional<InetAddress> refused = firstRefused(name, addresses);
        if (refused.isPresent()) {
            log.info("Refused the host {}: {} is {}", name, refused.get().getHostAddress(),
                    internalRange(refused.get()).orElse("internal"));
            throw new RefusedAddressException(name, refused.get());
        }
        return addresses;
    }

    /**
     * Resolves the host and checks every address it has now, for a URL that is only stored, not requested.
     *
     * @return why the host may not be reached, or empty when it may
     */
    public Optional<String> refusal(String host) {
        try {
            resolve(host);
            return Optional.empty();
        } catch (RefusedAddressException e) {
            return Optional.of(e.getMessage());
        } catch (UnknownHostException e) {
            return Optional.of("the host '" + host + "' could not be resolved");
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
                Optional<String> carried = rangeOf(IPV4_RANGES, embedding.ipv4(address))
                        .map(name -> name + " (IPv4 in " + embedding.name() + ")");
                return carried.isPresent() || !embedding.refused() ? carried : Optional.of(embedding.name());
            }
        }
        return GLOBAL_UNICAST.contains(address) ? Optional.empty() : Optional.of("reserved (not global unicast)");
    }

    private static Optional<String> rangeOf(List<Range> ranges, InetAddress address) {
        return ranges.stream().filter(range -> range.block().contains(address)).map(Range::name).findFirst();
    }

    private static Range range(String block, String name) {
        return new Range(AddressBlock.parse(block), name);
    }
}
