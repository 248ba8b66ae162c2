package io.dynrag.api.document.url;

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

    @Test
    void theReasonNamesTheProblem() {
        assertThatThrownBy(() -> FetchableUrl.parse("ftp://example.com/x")).hasMessageContaining("only http and https");
        assertThatThrownBy(() -> FetchableUrl.parse("http://a:b@example.com/")).hasMessageContaining("credentials");
        assertThatThrownBy(() -> FetchableUrl.parse(null)).hasMessageContaining("'url' is required");
        assertThatThrownBy(() -> FetchableUrl.parse("   ")).hasMessageContaining("'url' is required");
        assertThatThrownBy(() -> FetchableUrl.parse("http://example.com/" + "a".repeat(FetchableUrl.MAX_LENGTH)))
                .hasMessageContaining("longer than");
    }
}
