package io.dynrag.platform.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPolicyTest {

    private static final AddressPolicy NOTHING_ALLOWED = new AddressPolicy(AddressAllowlist.NONE);

    @ParameterizedTest
    @ValueSource(strings = {
            "127.0.0.1", "127.255.255.254",                     // loopback
            "10.0.0.1", "10.255.255.255",                       // private
            "172.16.0.1", "172.31.255.255",
            "192.168.0.1", "192.168.255.255",
            "169.254.169.254", "169.254.0.1",                   // link-local, the cloud metadata service
            "100.64.0.1", "100.127.255.255",                    // shared address space (CGNAT)
            "0.0.0.0", "0.1.2.3",                               // unspecified, "this network"
            "224.0.0.1", "239.255.255.250",                     // multicast
            "240.0.0.1", "255.255.255.255",                     // reserved, broadcast
            "::1",                                              // loopback
            "::",                                               // unspecified
            "fe80::1", "febf:ffff::1",                          // link-local
            "fc00::1", "fd12:3456:789a::1",                     // unique local
            "fec0::1",                                          // site-local (deprecated)
            "ff02::1", "ff05::1:3",                             // multicast
            "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.1.2.3", "::ffff:0.0.0.0", // IPv4-mapped
            "::127.0.0.1", "::169.254.169.254",                 // IPv4-compatible
            "64:ff9b::a9fe:a9fe", "64:ff9b::7f00:1",            // NAT64 of 169.254.169.254 and 127.0.0.1
            "2002:a9fe:a9fe::1", "2002:0a00:0001::",            // 6to4 of 169.254.169.254 and 10.0.0.1
            // The same embedded forms in other spellings: expanded, upper case, with a dotted quad.
            "0:0:0:0:0:ffff:127.0.0.1", "::FFFF:7F00:1", "::ffff:a9fe:a9fe",
            "0:0:0:0:0:0:10.0.0.1", "::7f00:1",
            "64:ff9b::127.0.0.1", "64:FF9B::A9FE:A9FE", "0064:ff9b:0000:0000:0000:0000:7f00:0001",
            "64:ff9b::100.64.0.1", "64:ff9b::192.168.1.1",
            "2002:7F00:0001:0000:0000:0000:0000:0001", "2002:c0a8:101::1", "2002:6440:1::",
            "::ffff:0:127.0.0.1", "::ffff:0:a9fe:a9fe", "0:0:0:0:ffff:0:10.0.0.1", // IPv4-translated (SIIT)
            // NAT64 local-use: our own translator, whatever IPv4 address the rest carries, public ones too.
            "64:ff9b:1::", "64:ff9b:1::a00:1", "64:FF9B:1::A00:1", "0064:ff9b:0001:0000:0000:0000:0a00:0001",
            "64:ff9b:1::10.0.0.1", "64:ff9b:1::8.8.8.8", "64:ff9b:1:ffff:ffff:ffff:ffff:ffff",
            // Teredo, whoever the client is: 127.0.0.1 and 10.0.0.1 stored inverted, a public client, the prefix.
            "2001:0:4136:e378:8000:63bf:80ff:fffe", "2001::f5ff:fffe", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001::", "2001:0000:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
            "100::", "100::1", "0100:0000:0000:0000:ffff:ffff:ffff:ffff", "100::FFFF:FFFF:FFFF:FFFF", // discard
            // Outside global unicast (2000::/3): reserved, wherever the special blocks above end.
            "fe00::1", "fbff:ffff::1", "4000::1", "e000::1", "1::1", "100:0:0:1::1", "64:ff9b:2::1",
    })
    void internalAddressesAreRefused(String literal) {
        InetAddress address = literal(literal);

        assertThat(AddressPolicy.internalRange(address)).as(literal).isPresent();
        assertThat(NOTHING_ALLOWED.firstRefused(literal, List.of(address))).contains(address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "8.8.8.8", "1.1.1.1", "93.184.216.34",
            "172.15.255.255", "172.32.0.1",                     // just outside 172.16.0.0/12
            "100.63.255.255", "100.128.0.1",                    // just outside 100.64.0.0/10
            "169.253.255.255", "169.255.0.1",                   // just outside 169.254.0.0/16
            "11.0.0.1", "126.255.255.255", "128.0.0.1", "223.255.255.255",
            "2606:4700:4700::1111", "2001:4860:4860::8888",
            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:0808:0808::1", // IPv4 in IPv6 of a public address
            "::ffff:0:808:808", "64:FF9B::8.8.8.8", "0064:ff9b:0000:0000:0000:0000:0808:0808",
            "2001:1::1", "2001:1:4136:e378::1", "2000::1",      // just outside Teredo, the start of 2000::/3
            "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",          // the end of 2000::/3
    })
    void publicAddressesAreFetched(String literal) {
        InetAddress address = literal(literal);

        assertThat(AddressPolicy.internalRange(address)).as(literal).isEmpty();
        assertThat(NOTHING_ALLOWED.firstRefused("example.com", List.of(address))).isEmpty();
    }

    @Test
    void anIpv4MappedAddressTheJdkKeepsAsIpv6IsJudgedByItsIpv4Address() throws UnknownHostException {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = (byte) 169;
        mapped[13] = (byte) 254;
        mapped[14] = (byte) 169;
        mapped[15] = (byte) 254;
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);

        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(AddressPolicy.internalRange(address)).hasValueSatisfying(range -> assertThat(range).contains("link-local"));
    }

    @Test
    void addressesCarryingAnIpv4AddressNameWhatTheyCarryAndRefusedPrefixesTheirOwnName() {
        assertThat(AddressPolicy.internalRange(literal("2001:0:4136:e378:8000:63bf:80ff:fffe")))
                .contains("loopback (IPv4 in Teredo)");
        assertThat(AddressPolicy.internalRange(literal("2001:0:4136:e378:8000:63bf:3fff:fdd2"))).contains("Teredo");
        assertThat(AddressPolicy.internalRange(literal("64:ff9b:1::a9fe:a9fe")))
                .contains("link-local (IPv4 in local-use NAT64)");
        assertThat(AddressPolicy.internalRange(literal("64:ff9b:1::808:808"))).contains("local-use NAT64");
        assertThat(AddressPolicy.internalRange(literal("64:ff9b::a00:1"))).contains("private (IPv4 in NAT64)");
        assertThat(AddressPolicy.internalRange(literal("2002:7f00:1::"))).contains("loopback (IPv4 in 6to4)");
        assertThat(AddressPolicy.internalRange(literal("::ffff:0:a00:1"))).contains("private (IPv4 in IPv4-translated)");
        assertThat(AddressPolicy.internalRange(literal("100::1"))).contains("discard-only");
        assertThat(AddressPolicy.internalRange(literal("4000::1"))).contains("reserved (not global unicast)");
    }

    @Test
    void resolvingVetsEveryAddressOnceAndNamesOnlyTheHost() throws UnknownHostException {
        AtomicInteger lookups = new AtomicInteger();
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("192.0.2.0/24"), host -> {
            lookups.incrementAndGet();
            return switch (host) {
                case "public.example" -> List.of(literal("93.184.216.34"), literal("2606:2800:220:1::1"));
                case "allowed.example" -> List.of(literal("192.0.2.7"));
                case "rebound.example" -> List.of(literal("93.184.216.34"), literal("64:ff9b:1::7f00:1"));
                case "::1", "2001::1" -> List.of(literal(host));
                default -> throw new UnknownHostException(host);
            };
        });

        assertThat(policy.resolve("public.example")).hasSize(2);
        assertThat(policy.resolve("allowed.example")).containsExactly(literal("192.0.2.7"));
        for (String refused : List.of("rebound.example", "[::1]", "2001::1")) {
            assertThatThrownBy(() -> policy.resolve(refused))
                    .isInstanceOfSatisfying(RefusedAddressException.class, e -> {
                        assertThat(e.host()).isEqualTo(refused.replace("[", "").replace("]", ""));
                        assertThat(e.getMessage()).contains("internal address").doesNotContain("7f00")
                                .doesNotContain("127.0.0.1");
                    });
        }
        assertThatThrownBy(() -> policy.resolve("nowhere.example")).isInstanceOf(UnknownHostException.class)
                .isNotInstanceOf(RefusedAddressException.class);
        assertThat(policy.refusal("nowhere.example")).contains("the host 'nowhere.example' could not be resolved");
        assertThat(policy.refusal("rebound.example"))
                .contains("the host 'rebound.example' is or resolves to an internal address");
        assertThat(lookups).as("one lookup per question").hasValue(8);
    }

    @Test
    void everyAddressANameResolvesToMustBeAllowed() {
        InetAddress publicAddress = literal("93.184.216.34");
        InetAddress privateAddress = literal("10.0.0.7");

        assertThat(NOTHING_ALLOWED.firstRefused("mixed.example", List.of(publicAddress, privateAddress)))
                .contains(privateAddress);
        assertThat(NOTHING_ALLOWED.firstRefused("mixed.example", List.of(privateAddress, publicAddress)))
                .contains(privateAddress);
    }

    @Test
    void anAllowedAddressOrBlockPermitsExactlyItsAddressesUnderAnyName() {
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("127.0.0.1, 10.1.0.0/16, ::1, fd00::/8"));

        assertThat(policy.firstRefused("localhost", List.of(literal("127.0.0.1")))).isEmpty();
        assertThat(policy.firstRefused("127.0.0.2", List.of(literal("127.0.0.2")))).isPresent();
        assertThat(policy.firstRefused("db.internal", List.of(literal("10.1.255.254")))).isEmpty();
        assertThat(policy.firstRefused("db.internal", List.of(literal("10.2.0.1")))).isPresent();
        assertThat(policy.firstRefused("ip6-localhost", List.of(literal("::1")))).isEmpty();
        assertThat(policy.firstRefused("v6.internal", List.of(literal("fd00:1::5")))).isEmpty();
        assertThat(policy.firstRefused("v6.internal", List.of(literal("fc00::5")))).isPresent();
        assertThat(policy.firstRefused("mapped", List.of(literal("::ffff:127.0.0.1")))).isEmpty();
        assertThat(policy.firstRefused("meta", List.of(literal("169.254.169.254")))).isPresent();
        assertThat(policy.firstRefused("both", List.of(literal("127.0.0.1"), literal("192.168.0.1"))))
                .contains(literal("192.168.0.1"));
    }

    @Test
    void anAllowedHostPermitsWhateverItResolvesToButOnlyThatHost() {
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("Docs.Internal."));

        assertThat(policy.firstRefused("docs.internal", List.of(literal("10.0.0.1"), literal("127.0.0.1")))).isEmpty();
        assertThat(policy.firstRefused("DOCS.INTERNAL.", List.of(literal("10.0.0.1")))).isEmpty();
        assertThat(policy.firstRefused("other.internal", List.of(literal("10.0.0.1")))).isPresent();
        assertThat(policy.firstRefused("sub.docs.internal", List.of(literal("10.0.0.1")))).isPresent();
    }

    @Test
    void mappedAllowlistEntriesMeanTheirIpv4Address() {
        AddressPolicy policy = new AddressPolicy(AddressAllowlist.parse("::ffff:10.9.0.0/112"));

        assertThat(policy.firstRefused("x", List.of(literal("10.9.200.1")))).isEmpty();
        assertThat(policy.firstRefused("x", List.of(literal("10.8.0.1")))).isPresent();
    }

    @Test
    void theAllowlistSettingIsReadStrictly() {
        assertThat(AddressAllowlist.parse(null)).isEqualTo(AddressAllowlist.NONE);
        assertThat(AddressAllowlist.parse("  ")).isEqualTo(AddressAllowlist.NONE);
        AddressAllowlist allowlist = AddressAllowlist.parse(" 127.0.0.1 ,, localhost , [::1] ");
        assertThat(allowlist.hosts()).containsExactly("localhost");
        assertThat(allowlist.blocks()).extracting(AddressBlock::toString)
                .containsExactly("127.0.0.1/32", "0:0:0:0:0:0:0:1/128");

        assertThatThrownBy(() -> AddressAllowlist.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressAllowlist.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressAllowlist.parse("fd00::/129")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressAllowlist.parse("docs.internal/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AddressAllowlist.parse("http://docs.internal"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http://docs.internal");
        assertThatThrownBy(() -> AddressAllowlist.parse("::ffff:10.0.0.0/8")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void blocksMatchByPrefixBits() {
        AddressBlock block = AddressBlock.parse("100.64.0.0/10");

        assertThat(block.contains(literal("100.64.0.0"))).isTrue();
        assertThat(block.contains(literal("100.127.255.255"))).isTrue();
        assertThat(block.contains(literal("100.128.0.0"))).isFalse();
        assertThat(block.contains(literal("100.63.255.255"))).isFalse();
        assertThat(block.contains(literal("::ffff:100.100.0.1"))).isTrue();
        assertThat(block.contains(literal("64:ff9b::6464:1"))).isFalse();
        assertThat(AddressBlock.parse("0.0.0.0/0").contains(literal("203.0.113.9"))).isTrue();
        assertThat(AddressBlock.parse("fe80::/10").contains(literal("febf::1"))).isTrue();
        assertThat(AddressBlock.parse("fe80::/10").contains(literal("fec0::1"))).isFalse();
    }

    private static InetAddress literal(String text) {
        InetAddress address = AddressBlock.literalOrNull(text);
        assertThat(address).as(text).isNotNull();
        return address;
    }
}
