package io.dynrag.platform.outbound;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FetchableUrlTest {

    @Test
    void anHttpUrlKeepsItsPathAndQueryAndLosesItsFragment() {
        FetchableUrl url = FetchableUrl.parse("  HTTPS://Docs.Example.com/guides/tides.md?lang=en#section-2 ");

        assertThat(url.uri().toString()).isEqualTo("https://Docs.Example.com/guides/tides.md?lang=en");
        assertThat(url.host()).isEqualTo("Docs.Example.com");
        assertThat(url.port()).isEqualTo(443);
        assertThat(url.name()).isEqualTo("tides.md");
    }

    @Test
    void ipv6HostsLoseTheirBrackets() {
        FetchableUrl url = FetchableUrl.parse("http://[2001:db8::1]:8080/a");

        assertThat(url.host()).isEqualTo("2001:db8::1");
        assertThat(url.port()).isEqualTo(8080);
    }

    @ParameterizedTest
    @CsvSource({
            "http://example.com/docs/guide.pdf, guide.pdf",
            "http://example.com/docs/guide/, guide",
            "http://example.com/, example.com",
            "http://example.com, example.com",
            "http://example.com/my%20notes.txt, my notes.txt",
            "http://example.com/a/b?c=d, b",
    })
    void theNameIsTheLastPathSegmentOrTheHost(String url, String name) {
        assertThat(FetchableUrl.parse(url).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "ftp://example.com/file.txt",
            "file:///etc/passwd",
            "gopher://example.com/",
            "javascript:alert(1)",
            "mailto:someone@example.com",
            "data:text/plain,hello",
            "/relative/path",
            "example.com/no-scheme",
            "http://",
            "http:///path-only",
            "http://exa mple.com/",
            "http://user:secret@example.com/",
            "http://user@example.com/",
            "http://example.com:0/",
            "http://example.com:99999/",
            "http://[::1/",
    })
    void urlsWeNeverFetchAreRefusedWithAReason(String url) {
        assertThatThrownBy(() -> FetchableUrl.parse(url))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageNotContaining("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://2130706433/",                // 127.0.0.1 as one decimal number
            "http://2852039166/latest/",         // 169.254.169.254 likewise
            "http://0177.0.0.1/",                // octal to a browser, 177.0.0.1 to the JDK
            "http://0251.0376.0251.0376/",       // 169.254.169.254 in octal
            "http://0x7f000001/", "http://0x7F.1/", "http://0xa9fea9fe/",
            "http://127.000.000.001/", "http://017700000001/", "http://1.2.3.04/",
            "http://256.1.1.1/", "http://1.2.3.4.5/", "http://10/", "http://example.123/", "http://example.0x1/",
            "http://169.254.169.254./",          // a trailing dot makes no name of an address
            "http://example.com@127.0.0.1/",     // userinfo tricks: credentials are never accepted
            "http://127.0.0.1:80@example.com/", "http://example.com%40127.0.0.1/", "http://example.com\\@127.0.0.1/",
            "http://[::1]@example.com/",
    })
    void numericHostsThatAreNoPlainIpv4AddressAndUserinfoTricksAreRefused(String url) {
        assertThatThrownBy(() -> FetchableUrl.parse(url)).as(url).isInstanceOf(InvalidUrlException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "http://192.0.2.1/, 192.0.2.1",
            "http://0.0.0.0/, 0.0.0.0",
            "http://255.255.255.255:8080/, 255.255.255.255",
            "http://123.example/, 123.example",
            "http://1.2.3.4.example.com/, 1.2.3.4.example.com",
            "http://example.com./, example.com.",
            "http://[64:FF9B:1::A00:1]/, 64:FF9B:1::A00:1",
            "'http://127.0.0.1#@example.com/', 127.0.0.1",
    })
    void plainAddressesAndNamesKeepTheirHostForTheAddressPolicy(String url, String host) {
        assertThat(FetchableUrl.parse(url).host()).isEqualTo(host);
    }

    @Test
    void theReasonNamesTheProblem() {
        assertThatThrownBy(() -> FetchableUrl.parse("ftp://example.com/x")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> FetchableUrl.parse("http://a:b@example.com/")).hasMessageContaining("credentials");
        assertThatThrownBy(() -> FetchableUrl.parse("http://0177.0.0.1/"))
                .hasMessageContaining("'0177.0.0.1'").hasMessageContaining("without leading zeros");
        assertThatThrownBy(() -> FetchableUrl.parse(null)).hasMessageContaining("'url' is required");
        assertThatThrownBy(() -> FetchableUrl.parse("   ")).hasMessageContaining("'url' is required");
        assertThatThrownBy(() -> FetchableUrl.parse("http://example.com/" + "a".repeat(FetchableUrl.MAX_LENGTH)))
                .hasMessageContaining("longer than");
    }
}
