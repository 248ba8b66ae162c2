package io.dynrag.identity.credentials;

import io.dynrag.domain.customer.CustomerStatus;
import io.dynrag.identity.accounts.CustomerAccount;
import io.dynrag.identity.accounts.CustomerAccounts;
import io.dynrag.identity.tokens.AccessClaims;
import io.dynrag.identity.tokens.AccessTokens;
import io.dynrag.identity.tokens.InvalidTokenException;
import io.dynrag.identity.users.Role;
import io.dynrag.platform.crypto.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Resolves the credential of a request: an access token (JWT) of a signed-in user, a customer
 * API key ({@code Authorization: Bearer} or {@code X-API-Key}), or the configured operator
 * token. Every failure is the same 401 for the client; the reason goes to the log.
 */
public final class Authenticator {

    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    private static final int MAX_CREDENTIAL_LENGTH = 4096;
    static final String OPERATOR_SUBJECT = "operator-token";

    private final String operatorTokenHash;
    private final ApiKeys apiKeys;
    private final AccessTokens accessTokens;
    private final CustomerAccounts accounts;

    /** @param operatorToken the configured admin bearer secret; null or blank disables it */
    public Authenticator(String operatorToken, ApiKeys apiKeys, AccessTokens accessTokens, CustomerAccounts accounts) {
        this.operatorTokenHash = operatorToken == null || operatorToken.isBlank() ? null
                : Secrets.sha256Hex(operatorToken);
        this.apiKeys = apiKeys;
        this.accessTokens = accessTokens;
        this.accounts = accounts;
    }

    /**
     * @throws NotAuthenticatedException  when the credential is missing or invalid, or its customer deleted
     * @throws CustomerSuspendedException when it belongs to a suspended customer
     */
    public Principal authenticate(String authorization, String apiKeyHeader) {
        Principal principal = resolve(authorization, apiKeyHeader)
                .orElseThrow(() -> new NotAuthenticatedException(
                        "send 'Authorization: Bearer <access token or API key>' or 'X-API-Key: <API key>'; "
                                + "the credential is missing, invalid, expired or revoked"));
        return requireActiveCustomer(principal);
    }

    private Optional<Principal> resolve(String authorization, String apiKeyHeader) {
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            String key = apiKeyHeader.strip();
            return key.length() > MAX_CREDENTIAL_LENGTH ? Optional.empty() : apiKeys.resolve(key).map(k -> k);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String credential = authorization.substring(7).strip();
        if (credential.isEmpty() || credential.length() > MAX_CREDENTIAL_LENGTH) {
            return Optional.empty();
        }
        if (credential.startsWith(ApiKeys.PREFIX)) {
            return apiKeys.resolve(credential).map(key -> key);
        }
        if (operatorTokenHash != null && Secrets.sameHash(operatorTokenHash, Secrets.sha256Hex(credential))) {
            return Optional.of(new Principal.Admin(OPERATOR_SUBJECT));
        }
        return accessToken(credential);
    }

    private Optional<Principal> accessToken(String credential) {
        try {
            AccessClaims claims = accessTokens.verify(credential);
            if (claims.role() == Role.ADMIN) {
                return Optional.of(new Principal.Admin(claims.userId()));
            }
            if (claims.customerId() == null) {
                return Optional.empty();
            }
            return Optional.of(new Principal.CustomerUser(claims.customerId(), claims.userId()));
        } catch (InvalidTokenException e) {
            log.info("Rejected an access token: {}", e.reason());
            return Optional.empty();
        }
    }

    private Principal requireActiveCustomer(Principal principal) {
        String customerId = switch (principal) {
            case Principal.CustomerUser user -> user.customerId();
            case Principal.CustomerKey key -> key.customerId();
            case Principal.Admin admin -> null;
        };
        if (customerId == null) {
            return principal;
        }
        CustomerStatus status = accounts.find(customerId).map(CustomerAccount::status).orElse(CustomerStatus.DELETED);
        return switch (status) {
            case ACTIVE -> principal;
            case SUSPENDED -> throw new CustomerSuspendedException();
            case DELETED -> throw new NotAuthenticatedException("the credential belongs to a deleted customer");
        };
    }
}
