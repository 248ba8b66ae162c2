package io.dynrag.identity.tokens;

import io.dynrag.identity.users.Role;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.crypto.Secrets;
import io.dynrag.platform.testing.MutableClock;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RefreshTokensTest {

    private final TestDatabase database = TestDatabase.get();
    private final MutableClock clock = MutableClock.atRealTime();
    private final RefreshTokens refreshTokens = new RefreshTokens(database.transactions(), clock, TokenFixture.SETTINGS);
    private final UserAccounts users = new UserAccounts(database.transactions());
    private String ann;
    private String bob;

    @BeforeEach
    void twoUsers() {
        database.truncate("user_account", "refresh_family", "refresh_token");
        ann = users.create("cust-a", "ann@example.com", "$argon2id$x", Role.CUSTOMER).userId();
        bob = users.create("cust-b", "bob@example.com", "$argon2id$x", Role.CUSTOMER).userId();
    }

    @Test
    void tokensAreRandomPrefixedAndStoredAsHashesOnly() {
        RefreshTokens.IssuedRefreshToken issued = refreshTokens.issue(ann);

        assertThat(issued.token()).startsWith("drr_").hasSize(4 + 43);
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
        assertThat(database.queryOne("SELECT count(*) FROM refresh_token WHERE token_hash = ?", Long.class,
                Secrets.sha256Hex(issued.token()))).isEqualTo(1);
        assertThat(database.queryOne("SELECT count(*) FROM refresh_token WHERE token_hash LIKE 'drr_%'", Long.class)).isZero();
        assertThat(issued.toString()).doesNotContain(issued.token());
        assertThat(refreshTokens.issue(ann).token()).isNotEqualTo(issued.token());
    }

    @Test
    void eachRotationGivesTheNextTokenOfTheSameFamily() {
        RefreshTokens.IssuedRefreshToken first = refreshTokens.issue(ann);

        RefreshTokens.Rotation second = refreshTokens.rotate(first.token());
        RefreshTokens.Rotation third = refreshTokens.rotate(second.token());

        assertThat(second.userId()).isEqualTo(ann);
        assertThat(third.userId()).isEqualTo(ann);
        assertThat(List.of(first.familyId(), second.familyId(), third.familyId())).containsOnly(first.familyId());
        assertThat(List.of(first.token(), second.token(), third.token())).doesNotHaveDuplicates();
        assertThat(third.toString()).doesNotContain(third.token());
    }

    @Test
    void theOwnerOfAUsableTokenIsKnownWithoutUsingItUp() {
        RefreshTokens.IssuedRefreshToken first = refreshTokens.issue(ann);

        assertThat(refreshTokens.userOf(first.token())).contains(ann);
        assertThat(refreshTokens.userOf(first.token())).contains(ann);
        RefreshTokens.Rotation second = refreshTokens.rotate(first.token());

        assertThat(refreshTokens.userOf(first.token())).as("used").isEmpty();
        assertThat(refreshTokens.userOf(second.token())).contains(ann);
        refreshTokens.revoke(second.token());
        assertThat(refreshTokens.userOf(second.token())).as("revoked").isEmpty();
        assertThat(refreshTokens.userOf("drr_unknown")).isEmpty();
        assertThat(refreshTokens.userOf("not a refresh token")).isEmpty();
        RefreshTokens.IssuedRefreshToken expiring = refreshTokens.issue(bob);
        clock.advance(Duration.ofDays(31));
        assertThat(refreshTokens.userOf(expiring.token())).as("expired").isEmpty();
    }

    @Test
    void reusingAUsedTokenRevokesTheWholeFamily() {
        RefreshTokens.IssuedRefreshToken first = refreshTokens.issue(ann);
        RefreshTokens.Rotation second = refreshTokens.rotate(first.token());
        RefreshTokens.IssuedRefreshToken otherSession = refreshTokens.issue(ann);

        assertThatThrownBy(() -> refreshTokens.rotate(first.token()))
                .isInstanceOfSatisfying(RefreshTokenReusedException.class, e -> {
                    assertThat(e.userId()).isEqualTo(ann);
                    assertThat(e.familyId()).isEqualTo(first.familyId());
                    assertThat(e.getMessage()).isEqualTo("The refresh token is invalid, expired or revoked.");
                });

        assertThatThrownBy(() -> refreshTokens.rotate(second.token()))
                .as("the newest token of the family is revoked too")
                .isExactlyInstanceOf(InvalidRefreshTokenException.class);
        assertThatThrownBy(() -> refreshTokens.rotate(first.token()))
                .as("every replay of a used token is reported")
                .isInstanceOf(RefreshTokenReusedException.class);
        assertThat(refreshTokens.rotate(otherSession.token()).userId()).as("another sign-in is untouched").isEqualTo(ann);
    }

    @Test
    void ofConcurrentRotationsOfOneTokenExactlyOneWinsAndTheRestCountAsReuse() throws Exception {
        RefreshTokens.IssuedRefreshToken issued = refreshTokens.issue(ann);
        int parallel = 8;
        ExecutorService threads = Executors.newFixedThreadPool(parallel);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<RefreshTokens.Rotation>> attempts = new ArrayList<>();
        try {
            for (int i = 0; i < parallel; i++) {
                attempts.add(threads.submit(() -> {
                    start.await();
                    return refreshTokens.rotate(issued.token());
                }));
            }
            start.countDown();
            List<RefreshTokens.Rotation> winners = new ArrayList<>();
            List<Throwable> losers = new ArrayList<>();
            for (Future<RefreshTokens.Rotation> attempt : attempts) {
                try {
                    winners.add(attempt.get());
                } catch (ExecutionException e) {
                    losers.add(e.getCause());
                }
            }

            assertThat(winners).hasSize(1);
            assertThat(losers).hasSize(parallel - 1).allMatch(RefreshTokenReusedException.class::isInstance);
            assertThatThrownBy(() -> refreshTokens.rotate(winners.getFirst().token()))
                    .as("the race revoked the family, the winner's token included")
                    .isInstanceOf(InvalidRefreshTokenException.class);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void logoutRevokesTheFamily() {
        RefreshTokens.IssuedRefreshToken first = refreshTokens.issue(ann);
        RefreshTokens.Rotation second = refreshTokens.rotate(first.token());

        refreshTokens.revoke(second.token());

        assertThatThrownBy(() -> refreshTokens.rotate(second.token())).isExactlyInstanceOf(InvalidRefreshTokenException.class);
        assertThat(database.queryOne("SELECT revoked_reason FROM refresh_family WHERE family_id = ?::uuid", String.class,
                first.familyId())).isEqualTo("LOGOUT");
    }

    @Test
    void loggingOutWithAnUnknownTokenDoesNothing() {
        assertThatCode(() -> {
            refreshTokens.revoke("drr_unknown");
            refreshTokens.revoke("garbage");
            refreshTokens.revoke(null);
        }).doesNotThrowAnyException();
    }

    @Test
    void revokingAllOfAUserEndsEverySessionOfThatUserOnly() {
        RefreshTokens.IssuedRefreshToken laptop = refreshTokens.issue(ann);
        RefreshTokens.IssuedRefreshToken phone = refreshTokens.issue(ann);
        RefreshTokens.IssuedRefreshToken bobs = refreshTokens.issue(bob);

        refreshTokens.revokeAllFor(ann);

        assertThatThrownBy(() -> refreshTokens.rotate(laptop.token())).isInstanceOf(InvalidRefreshTokenException.class);
        assertThatThrownBy(() -> refreshTokens.rotate(phone.token())).isInstanceOf(InvalidRefreshTokenException.class);
        assertThat(refreshTokens.rotate(bobs.token()).userId()).isEqualTo(bob);
    }

    @Test
    void aTokenExpiresThirtyDaysAfterItWasIssued() {
        RefreshTokens.IssuedRefreshToken first = refreshTokens.issue(ann);
        RefreshTokens.IssuedRefreshToken idle = refreshTokens.issue(ann);

        clock.advance(Duration.ofDays(30).minusSeconds(1));
        RefreshTokens.Rotation second = refreshTokens.rotate(first.token());
        clock.advance(Duration.ofSeconds(1));

        assertThatThrownBy(() -> refreshTokens.rotate(idle.token()))
                .isExactlyInstanceOf(InvalidRefreshTokenException.class)
                .satisfies(e -> assertThat(((InvalidRefreshTokenException) e).reason()).contains("expired"));
        clock.advance(Duration.ofDays(30).minusSeconds(2));
        assertThat(refreshTokens.rotate(second.token()).userId()).as("a used session keeps going").isEqualTo(ann);
    }

    @Test
    void unknownAndMalformedTokensAreInvalid() {
        assertThatThrownBy(() -> refreshTokens.rotate("drr_" + "A".repeat(43))).isExactlyInstanceOf(InvalidRefreshTokenException.class);
        assertThatThrownBy(() -> refreshTokens.rotate("not-a-refresh-token")).isExactlyInstanceOf(InvalidRefreshTokenException.class);
        assertThatThrownBy(() -> refreshTokens.rotate(null)).isExactlyInstanceOf(InvalidRefreshTokenException.class);
    }

    @Test
    void deletingTheUserDeletesItsTokens() {
        RefreshTokens.IssuedRefreshToken issued = refreshTokens.issue(ann);

        users.deleteForCustomer("cust-a");

        assertThatThrownBy(() -> refreshTokens.rotate(issued.token()))
                .isInstanceOfSatisfying(InvalidRefreshTokenException.class, e -> assertThat(e.reason()).isEqualTo("unknown refresh token"));
    }
}
