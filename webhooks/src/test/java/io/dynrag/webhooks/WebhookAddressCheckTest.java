package io.dynrag.webhooks;

import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.outbound.AddressAllowlist;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.FetchableUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookAddressCheckTest {

    private final WebhookAddressCheck strict = new WebhookAddressCheck(new AddressPolicy(AddressAllowlist.NONE));

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1:8080/hooks", "http://localhost/hooks", "http://10.0.0.7/hooks", "http://172.16.4.2/",
            "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/",
            "http://0.0.0.0/", "http://[::1]/hooks", "http://[fd00::1]/", "http://[fe80::1]/",
            "http://[::ffff:169.254.169.254]/", "http://[64:ff9b::7f00:1]/", "https://224.0.0.1/",
            "http://[64:ff9b:1::a00:1]/", "http://[64:FF9B:1::8.8.8.8]:8443/", "http://[0064:ff9b:0001::0a00:0001]/",
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "http://[2001::]/", "http://[100::1]/",
            "http://[0100:0000:0000:0000:0000:0000:0000:0001]/", "http://[::ffff:0:127.0.0.1]/",
            "http://[2002:a9fe:a9fe::]/", "http://[4000::1]/", "http://127.0.0.1#@hooks.example.com/",
            "http://LOCALHOST/hooks"})
    void internalAddressesAreRefusedWhenStored(String url) {
        assertThatThrownBy(() -> strict.acceptable(url))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(422);
                    assertThat(problem.detail()).contains("internal address");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/", "file:///etc/passwd", "https://user:pw@hooks.example.com/",
            "hooks.example.com/path", "https:///no-host", "http://exa mple.com/", "",
            "http://2130706433/", "http://0177.0.0.1/", "http://0x7f000001/", "http://127.000.000.001/",
            "http://169.254.169.254./", "http://hooks.example.com@127.0.0.1/", "http://127.0.0.1:80@hooks.example.com/",
            "http://hooks.example.com%40127.0.0.1/"})
    void urlsThatAreNotPlainHttpAreBadRequests(String url) {
        assertThatThrownBy(() -> strict.acceptable(url))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> assertThat(problem.status()).isEqualTo(400));
    }

    @Test
    void aHostThatDoesNotResolveIsRefused() {
        assertThatThrownBy(() -> strict.acceptable("https://no-such-host.invalid/hooks"))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status()).isEqualTo(422);
                    assertThat(problem.detail()).contains("could not be resolved");
                });
    }

    @Test
    void publicAddressesAndAllowlistedOnesAreAcceptedWithoutTheirFragment() {
        assertThat(strict.acceptable("https://93.184.215.14:8443/hooks?source=dynrag#ignored"))
                .isEqualTo("https://93.184.215.14:8443/hooks?source=dynrag");
        WebhookAddressCheck allowing = new WebhookAddressCheck(new AddressPolicy(AddressAllowlist.parse("127.0.0.1")));
        assertThat(allowing.acceptable("http://127.0.0.1:9000/hooks")).isEqualTo("http://127.0.0.1:9000/hooks");
        assertThat(allowing.refusal(FetchableUrl.parse("http://127.0.0.2/"))).isPresent();
    }

    @Test
    void theCheckNamesTheHostButNotTheAddress() {
        assertThat(strict.refusal(FetchableUrl.parse("http://127.0.0.1:9000/hooks")))
                .contains("the host '127.0.0.1' is or resolves to an internal address");
        assertThat(strict.refusal(FetchableUrl.parse("http://localhost:9000/hooks")))
                .contains("the host 'localhost' is or resolves to an internal address");
        assertThat(strict.refusal(FetchableUrl.parse("https://93.184.215.14/hooks"))).isEmpty();
    }
}
