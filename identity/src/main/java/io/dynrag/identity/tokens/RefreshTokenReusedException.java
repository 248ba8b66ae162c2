package io.dynrag.identity.tokens;

/**
 * A refresh token was presented a second time: either it was stolen or a client raced itself. The whole
 * family is revoked by then, so both the thief and the user must sign in again (RFC 9700, section 4.14.2).
 * Worth a security log entry with the user and family.
 */
public class RefreshTokenReusedException extends InvalidRefreshTokenException {

    private final String userId;
    private final String familyId;

    public RefreshTokenReusedException(String userId, String familyId) {
        super("a used refresh token was presented again; family " + familyId + " of user " + userId + " is revoked");
        this.userId = userId;
        this.familyId = familyId;
    }

    public String userId() {
        return userId;
    }

    public String familyId() {
        return familyId;
    }
}
