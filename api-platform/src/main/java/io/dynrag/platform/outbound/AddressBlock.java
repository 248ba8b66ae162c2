package io.dynrag.platform.outbound;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A block of IP addresses in CIDR notation, such as {@code 10.0.0.0/8} or {@code fc00::/7}; a
 * single address is a block of one. Parsing never asks DNS: only literals are accepted.
 * IPv4 addresses compare as their IPv4-mapped IPv6 form, so {@code ::ffff:127.0.0.1} and
 * {@code 127.0.0.1} are the same address here as they are on the wire.
 */
public record AddressBlock(InetAddress network, int prefixLength) {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*(%\\d+)?");
    private static final int MAPPED_PREFIX_BITS = 96;

    public AddressBlock {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("the prefix length of " + network.getHostAddress()
                    + " must be between 0 and " + bits);
        }
    }

    /** @throws IllegalArgumentException for anything but an IPv4 or IPv6 literal with an optional /length */
    public static AddressBlock parse(String text) {
        String block = text.strip();
        int slash = block.indexOf('/');
        String literal = slash < 0 ? block : block.substring(0, slash);
        InetAddress network = literalOrNull(literal);
        if (network == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address or block");
        }
        int bits = network.getAddress().length * 8;
        if (slash < 0) {
            return new AddressBlock(network, bits);
        }
        int length;
        try {
            length = Integer.parseInt(block.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no valid prefix length after the '/'");
        }
        // The JDK reads ::ffff:a.b.c.d as a.b.c.d; a length written for 128 bits then counts the last 32.
        boolean mappedLiteral = network instanceof Inet4Address && literal.indexOf(':') >= 0;
        if (mappedLiteral) {
            if (length < MAPPED_PREFIX_BITS || length > 128) {
                throw new IllegalArgumentException("'" + text + "' needs a prefix length between 96 and 128");
            }
            length -= MAPPED_PREFIX_BITS;
        }
        return new AddressBlock(network, length);
    }

    /** An IPv4 dotted quad or an IPv6 literal (with or without brackets); null when it is neither. */
    static InetAddress literalOrNull(String text) {
        String candidate = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        try {
            if (IPV4.matcher(candidate).matches()) {
                String[] parts = candidate.split("\\.");
                byte[] bytes = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int part = Integer.parseInt(parts[i]);
                    if (part > 255) {
                        return null;
                    }
                    bytes[i] = (byte) part;
                }
                return InetAddress.getByAddress(bytes);
            }
            // With a colon it can only be an IPv6 literal, which the JDK parses without a lookup.
            if (candidate.indexOf(':') >= 0 && IPV6.matcher(candidate).matches()) {
                return InetAddress.getByName(candidate);
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = sixteenBytes(address);
        byte[] prefix = sixteenBytes(network);
        int bits = network.getAddress().length == 4 ? prefixLength + MAPPED_PREFIX_BITS : prefixLength;
        int fullBytes = bits / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (candidate[i] != prefix[i]) {
                return false;
            }
        }
        int remainingBits = bits % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xFF << (8 - remainingBits)) & 0xFF;
        return (candidate[fullBytes] & mask) == (prefix[fullBytes] & mask);
    }

    /** The address as IPv6: IPv4 addresses in their mapped form ::ffff:a.b.c.d. */
    private static byte[] sixteenBytes(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length == 16) {
            return bytes;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(bytes, 0, mapped, 12, 4);
        return mapped;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
