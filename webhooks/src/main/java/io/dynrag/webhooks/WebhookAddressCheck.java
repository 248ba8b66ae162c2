package io.dynrag.webhooks;

import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.outbound.AddressPolicy;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.InvalidUrlException;
import java.util.Optional;

/**
 * Where webhooks may point: the same URLs and addresses as documents fetched from URLs (http or https, no
 * credentials, no internal address unless the allowlist permits it). Checked here when a URL is stored; every
 * delivery is checked again as it connects (see {@link WebhookDispatcher}), because a host may resolve
 * somewhere else by then.
 */
final class WebhookAddressCheck {

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
        return policy.refusal(url.host());
    }
}
