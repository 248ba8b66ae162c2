package io.dynrag.api.webhook;

import io.dynrag.api.document.url.AddressPolicy;
import io.dynrag.api.document.url.FetchableUrl;
import io.dynrag.api.document.url.InvalidUrlException;
import io.dynrag.api.http.ApiProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * Where webhooks may point: the same URLs and addresses as documents fetched from URLs (http or https, no
 * credentials, no internal address unless the allowlist permits it). Checked when a URL is stored and
 * again before every delivery, because a host may resolve somewhere else by then.
 */
final class WebhookAddressCheck {

    private static final Logger log = LoggerFactory.getLogger(WebhookAddressCheck.class);

    private final AddressPolicy policy;

    WebhookAddressCheck(AddressPolicy policy) {
        this.policy = policy;
    }

    /**
     * @return the URL as it is stored (without a fragment)
     * @throws ApiProblem 400 for a URL that is not http(s) or is malformed, 422 for a host that cannot be
     *                    resolved or is or resolves to an internal address
     */
    String acceptable(String text) {
        FetchableUrl url;
        try {
            url = FetchableUrl.parse(text);
        } catch (InvalidUrlException e) {
            throw ApiProblem.badRequest("'url': " + e.getMessage());
        }
        refusal(url).ifPresent(reason -> {
            throw new ApiProblem(422, "Unprocessable Content", "'url' cannot be used: " + reason
                    + "; private, loopback, link-local and reserved addresses receive no webhooks");
        });
        return url.uri().toString();
    }

    /** Resolves the host now: why it may not be reached, or empty when it may. */
    Optional<String> refusal(FetchableUrl url) {
        List<InetAddress> addresses;
        try {
            addresses = List.of(InetAddress.getAllByName(url.host()));
        } catch (UnknownHostException e) {
            return Optional.of("the host '" + url.host() + "' could not be resolved");
        }
        return policy.firstRefused(url.host(), addresses).map(address -> {
            log.info("Refused the webhook URL {}: {} is {}", url, address.getHostAddress(),
                    AddressPolicy.internalRange(address).orElse("internal"));
            return "the host '" + url.host() + "' is or resolves to an internal address";
        });
    }
}
