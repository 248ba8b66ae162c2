package io.dynrag.platform.http;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    private static final InetAddress CLIENT = address("203.0.113.7");
    private static final InetAddress PROXY = address("10.0.0.5");
    private final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1,fd00::/8");

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverRead() {
        assertThat(TrustedProxies.parse("").clientAddress(PROXY, List.of("198.51.100.1"))).isEqualTo(PROXY);
        assertThat(TrustedProxies.parse(null)).isEqualTo(TrustedProxies.NONE);
        assertThat(TrustedProxies.parse(" , ")).isEqualTo(TrustedProxies.NONE);
    }

    @Test
    void aPeerThatIsNoTrustedProxyIsTheClientWhateverItWrites() {
        assertThat(proxies.clientAddress(CLIENT, List.of("198.51.100.1"))).isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(CLIENT, List.of("10.0.0.9"))).as("even naming a proxy").isEqualTo(CLIENT);
    }

    @Test
    void behindATrustedProxyTheRightMostUntrustedAddressIsTheClient() {
        assertThat(proxies.clientAddress(PROXY, List.of("203.0.113.7"))).isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(PROXY, List.of("198.51.100.1, 203.0.113.7")))
                .as("what the client wrote itself stands to the left").isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(PROXY, List.of("198.51.100.1, 203.0.113.7, 192.168.1.1, 10.1.2.3")))
                .as("through a chain of trusted proxies").isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(PROXY, List.of("198.51.100.1", "203.0.113.7,10.1.2.3")))
                .as("over several header lines, in order").isEqualTo(CLIENT);
    }

    @Test
    void whenEveryHopIsTrustedTheLeftMostIsTheClient() {
        assertThat(proxies.clientAddress(PROXY, List.of("10.9.9.9, 10.1.2.3"))).isEqualTo(address("10.9.9.9"));
        assertThat(proxies.clientAddress(PROXY, List.of())).as("a proxy's own request").isEqualTo(PROXY);
    }

    @Test
    void aGarbledEntryStopsTheWalkAtTheHopThatWroteIt() {
        for (String garbled : List.of("unknown", "", "   ", "not an address", "999.1.1.1", "1.2.3", "_hidden",
                "203.0.113.7/24", "example.com", ".:", "%00", "x".repeat(10_000), "1".repeat(100),
                "::1::2", "[::1", "203.0.113.7:99999999")) {
            assertThat(proxies.clientAddress(PROXY, List.of("198.51.100.1, " + garbled)))
                    .as("'%s'", garbled.length() > 20 ? garbled.substring(0, 20) + "…" : garbled).isEqualTo(PROXY);
            assertThat(proxies.clientAddress(PROXY, List.of("203.0.113.7, " + garbled + ", 10.1.2.3")))
                    .isEqualTo(address("10.1.2.3"));
        }
    }

    @Test
    void addressesAreReadAsProxiesWriteThem() {
        assertThat(proxies.clientAddress(PROXY, List.of(" 203.0.113.7 "))).isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(PROXY, List.of("203.0.113.7:51234"))).isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(PROXY, List.of("2001:db8::1"))).isEqualTo(address("2001:db8::1"));
        assertThat(proxies.clientAddress(PROXY, List.of("[2001:db8::1]"))).isEqualTo(address("2001:db8::1"));
        assertThat(proxies.clientAddress(PROXY, List.of("[2001:db8::1]:443"))).isEqualTo(address("2001:db8::1"));
        assertThat(proxies.clientAddress(PROXY, List.of("::ffff:203.0.113.7"))).isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(address("fd00::1"), List.of("203.0.113.7"))).as("an IPv6 proxy")
                .isEqualTo(CLIENT);
        assertThat(proxies.clientAddress(address("::ffff:10.0.0.5"), List.of("203.0.113.7")))
                .as("a proxy's IPv4 address in its mapped form").isEqualTo(CLIENT);
    }

    @Test
    void theSettingIsAddressesAndBlocksOnly() {
        assertThat(proxies.toString()).isEqualTo("10.0.0.0/8,192.168.1.1/32,fd00:0:0:0:0:0:0:0/8");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/8,proxy.internal"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'proxy.internal'");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prefix length");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'10.0.0.0/x'");
        for (String everyone : List.of("0.0.0.0/0", "::/0")) {
            assertThatThrownBy(() -> TrustedProxies.parse(everyone))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trusts every address");
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
