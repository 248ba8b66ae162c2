package io.dynrag.platform.outbound;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hosts and address blocks that URL fetches may reach although they are internal (loopback,
 * private, link-local, …). An allowed host name permits whatever it resolves to; an allowed block
 * permits its addresses under any name.
 */
public record AddressAllowlist(Set<String> hosts, List<AddressBlock> blocks) {

    public static final AddressAllowlist NONE = new AddressAllowlist(Set.of(), List.of());

    public AddressAllowlist {
        hosts = Set.copyOf(hosts);
        blocks = List.copyOf(blocks);
    }

    /**
     * @param setting comma-separated host names, addresses and CIDR blocks, e.g.
     *                {@code 127.0.0.1,10.1.0.0/16,docs.internal}; null or blank for none
     * @throws IllegalArgumentException naming the entry that is neither
     */
    public static AddressAllowlist parse(String setting) {
        if (setting == null || setting.isBlank()) {
            return NONE;
        }
        Set<String> hosts = new LinkedHashSet<>();
        List<AddressBlock> blocks = new ArrayList<>();
        for (String raw : setting.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.indexOf('/') >= 0 || AddressBlock.literalOrNull(entry) != null) {
                blocks.add(AddressBlock.parse(entry));
            } else if (entry.matches("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\\.?")) {
                hosts.add(normalizeHost(entry));
            } else {
                throw new IllegalArgumentException("'" + entry + "' is neither a host name, an IP address nor a "
                        + "CIDR block");
            }
        }
        return new AddressAllowlist(hosts, blocks);
    }

    public boolean permitsHost(String host) {
        return hosts.contains(normalizeHost(host));
    }

    public boolean permitsAddress(InetAddress address) {
        return blocks.stream().anyMatch(block -> block.contains(address));
    }

    /** Lower case, without the trailing dot of a fully qualified name. */
    static String normalizeHost(String host) {
        String normalized = host.strip().toLowerCase(Locale.ROOT);
        return normalized.endsWith(".") ? normalized.substring(0, normalized.length() - 1) : normalized;
    }

    @Override
    public String toString() {
        List<String> entries = new ArrayList<>(hosts);
        blocks.forEach(block -> entries.add(block.toString()));
        return String.join(",", entries);
    }
}
