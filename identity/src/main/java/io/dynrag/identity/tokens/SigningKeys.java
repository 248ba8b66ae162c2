package io.dynrag.identity.tokens;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.persistence.DatabaseException;
import io.dynrag.platform.persistence.InTransaction;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;
import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.HashUtil;
import org.jose4j.lang.JoseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The ES256 (P-256) key pairs that sign access tokens, shared by every API instance through the
 * {@code signing_key} table; private keys are sealed by the key-encryption key.
 *
 * <p>One key is current and signs; {@link #rotate} retires it. A retired key still verifies (and stays in
 * the JWKS) while tokens it signed can be valid: until retirement + access-token lifetime + one minute.
 * That minute covers the {@value #REFRESH_SECONDS}-second cache below, during which another instance may
 * still sign with the old key, plus the 30 seconds of clock skew verification allows.
 *
 * <p>Each instance keeps the keys in memory, reloads them every {@value #REFRESH_SECONDS} seconds, and
 * sooner (at most every {@value #UNKNOWN_KID_RELOAD_SECONDS} seconds, so forged kids cannot flood the
 * database) when a token names a kid it does not know. If a reload fails, the keys already loaded keep
 * verifying. Call {@link #ensureCurrent} at start and then periodically (hourly, say), outside any open
 * transaction: it creates the first key and rotates when the current one is due, and several instances
 * doing so at once create one key, not several.
 */
public final class SigningKeys {

    static final long REFRESH_SECONDS = 30;
    static final long UNKNOWN_KID_RELOAD_SECONDS = 5;
    static final Duration PUBLICATION_MARGIN = Duration.ofMinutes(1);
    static final String ALGORITHM = AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

    private final ThreadBoundTransactionManager transactions;
    private final KeyEncryption keyEncryption;
    private final Clock clock;
    private final TokenSettings settings;

    private final Object reloading = new Object();
    private volatile Snapshot snapshot;
    private volatile Instant lastAttempt = Instant.MIN;

    public SigningKeys(ThreadBoundTransactionManager transactions, KeyEncryption keyEncryption, Clock clock,
                       TokenSettings settings) {
        this.transactions = transactions;
        this.keyEncryption = keyEncryption;
        this.clock = clock;
        this.settings = settings;
    }

    record SigningKey(String kid, PrivateKey privateKey) {
    }

    private record PublishedKey(String kid, PublicJsonWebKey jwk, Instant retiredAt) {
    }

    private record Snapshot(List<PublishedKey> keys, SigningKey current, Instant loadedAt) {
    }

    /** Creates the first key, or rotates when the current key is older than the rotation period. */
    public void ensureCurrent() {
        NewKey candidate = NewKey.generate(keyEncryption);
        InTransaction.run(transactions, "cannot check the current signing key", connection -> {
            lockSigningKeys(connection);
            Optional<Instant> currentSince = currentCreatedAt(connection);
            Instant now = now();
            if (currentSince.isEmpty() || !now.isBefore(currentSince.get().plus(settings.signingKeyRotation()))) {
                replaceCurrent(connection, candidate, now);
                log.info("Signing key {} is current from now on", candidate.kid());
            }
            return null;
        });
        reload();
    }

    /** A new key signs from now on; the previous one is retired but still verifies its tokens. Answers the new kid. */
    public String rotate() {
        NewKey fresh = NewKey.generate(keyEncryption);
        InTransaction.run(transactions, "cannot rotate the signing key", connection -> {
            lockSigningKeys(connection);
            replaceCurrent(connection, fresh, now());
            return null;
        });
        log.info("Signing key {} is current from now on", fresh.kid());
        reload();
        return fresh.kid();
    }

    /** The JSON Web Key Set of every key whose tokens may still be valid, current first; public members only. */
    public String jwksJson() {
        Instant now = clock.instant();
        List<JsonWebKey> published = fresh(now).keys().stream()
                .filter(key -> isPublished(key, now))
                .map(key -> (JsonWebKey) key.jwk())
                .toList();
        return new JsonWebKeySet(published).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    SigningKey signingKey() {
        SigningKey current = fresh(clock.instant()).current();
        if (current == null) {
            throw new IllegalStateException("there is no signing key yet: SigningKeys.ensureCurrent() runs at start");
        }
        return current;
    }

    Optional<PublicKey> verificationKey(String kid) {
        Instant now = clock.instant();
        Optional<PublicKey> known = find(fresh(now), kid, now);
        if (known.isPresent() || !reloadDue(now, UNKNOWN_KID_RELOAD_SECONDS)) {
            return known;
        }
        return find(reloadIfDue(now), kid, now);
    }

    private Optional<PublicKey> find(Snapshot keys, String kid, Instant now) {
        return keys.keys().stream()
                .filter(key -> key.kid().equals(kid) && isPublished(key, now))
                .findFirst()
                .map(key -> key.jwk().getPublicKey());
    }

    private boolean isPublished(PublishedKey key, Instant now) {
        return key.retiredAt() == null || publishedUntil(key.retiredAt()).isAfter(now);
    }

    private Instant publishedUntil(Instant retiredAt) {
        return retiredAt.plus(settings.accessTokenLifetime()).plus(PUBLICATION_MARGIN);
    }

    private Snapshot fresh(Instant now) {
        Snapshot current = snapshot;
        if (current == null) {
            return reload();
        }
        if (now.isBefore(current.loadedAt().plusSeconds(REFRESH_SECONDS)) || !reloadDue(now, UNKNOWN_KID_RELOAD_SECONDS)) {
            return current;
        }
        return reloadIfDue(now);
    }

    private boolean reloadDue(Instant now, long seconds) {
        return !now.isBefore(lastAttempt.plusSeconds(seconds));
    }

    /**
     * Reloads unless another thread just did (the first of many concurrent callers does the work). A failed
     * reload keeps the keys already loaded: verification should outlast a database hiccup.
     */
    private Snapshot reloadIfDue(Instant now) {
        synchronized (reloading) {
            Snapshot old = snapshot;
            if (old != null && !reloadDue(now, UNKNOWN_KID_RELOAD_SECONDS)) {
                return old;
            }
            try {
                return reload();
            } catch (DatabaseException e) {
                if (old == null) {
                    throw e;
                }
                log.warn("Cannot reload the signing keys, keeping the {} loaded at {}: {}", old.keys().size(), old.loadedAt(), e.toString());
                return old;
            }
        }
    }

    private Snapshot reload() {
        synchronized (reloading) {
            Instant now = clock.instant();
            lastAttempt = now;
            List<PublishedKey> keys = new ArrayList<>();
            SigningKey current = null;
            try (Connection connection = transactions.getConnection();
                 PreparedStatement query = connection.prepareStatement("""
                         SELECT kid, public_jwk, retired_at, CASE WHEN retired_at IS NULL THEN private_key END AS private_key
                         FROM signing_key
                         WHERE retired_at IS NULL OR retired_at > ?
                         ORDER BY retired_at DESC NULLS FIRST""")) {
                query.setObject(1, utc(now.minus(settings.accessTokenLifetime()).minus(PUBLICATION_MARGIN)));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        String kid = rows.getString("kid");
                        OffsetDateTime retiredAt = rows.getObject("retired_at", OffsetDateTime.class);
                        keys.add(new PublishedKey(kid, PublicJsonWebKey.Factory.newPublicJwk(rows.getString("public_jwk")),
                                retiredAt == null ? null : retiredAt.toInstant()));
                        if (retiredAt == null) {
                            current = new SigningKey(kid, privateKey(kid, rows.getBytes("private_key")));
                        }
                    }
                }
            } catch (SQLException e) {
                throw new DatabaseException("cannot load the signing keys", e);
            } catch (JoseException e) {
                throw new IllegalStateException("a stored public signing key is not a valid JWK", e);
            }
            Snapshot loaded = new Snapshot(List.copyOf(keys), current, now);
            snapshot = loaded;
            return loaded;
        }
    }

    private PrivateKey privateKey(String kid, byte[] sealed) {
        byte[] pkcs8 = keyEncryption.open(sealed, sealingContext(kid));
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the stored private signing key " + kid + " cannot be read", e);
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    /** Serialises key changes across instances; released when the transaction ends. */
    private static void lockSigningKeys(Connection connection) throws SQLException {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('command.signing_key'))")) {
            lock.execute();
        }
    }

    private static Optional<Instant> currentCreatedAt(Connection connection) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT created_at FROM signing_key WHERE retired_at IS NULL");
             ResultSet row = query.executeQuery()) {
            return row.next() ? Optional.of(row.getObject(1, OffsetDateTime.class).toInstant()) : Optional.empty();
        }
    }

    private static void replaceCurrent(Connection connection, NewKey key, Instant now) throws SQLException {
        try (PreparedStatement retire = connection.prepareStatement("UPDATE signing_key SET retired_at = ? WHERE retired_at IS NULL");
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO signing_key (kid, public_jwk, private_key, created_at) VALUES (?, ?, ?, ?)")) {
            retire.setObject(1, utc(now));
            retire.executeUpdate();
            insert.setString(1, key.kid());
            insert.setString(2, key.publicJwk());
            insert.setBytes(3, key.sealedPrivateKey());
            insert.setObject(4, utc(now));
            insert.executeUpdate();
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static OffsetDateTime utc(Instant instant) {
        return OffsetDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    private static String sealingContext(String kid) {
        return "signing-key:" + kid;
    }

    /** A generated key pair: the kid is its RFC 7638 thumbprint, the private key is sealed at once. */
    private record NewKey(String kid, String publicJwk, byte[] sealedPrivateKey) {

        static NewKey generate(KeyEncryption keyEncryption) {
            try {
                EllipticCurveJsonWebKey jwk = EcJwkGenerator.generateJwk(EllipticCurves.P256);
                String kid = jwk.calculateBase64urlEncodedThumbprint(HashUtil.SHA_256);
                jwk.setKeyId(kid);
                jwk.setUse("sig");
                jwk.setAlgorithm(ALGORITHM);
                byte[] pkcs8 = jwk.getPrivateKey().getEncoded();
                try {
                    return new NewKey(kid, jwk.toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY),
                            keyEncryption.seal(pkcs8, sealingContext(kid)));
                } finally {
                    Arrays.fill(pkcs8, (byte) 0);
                }
            } catch (JoseException e) {
                throw new IllegalStateException("cannot generate a P-256 key pair", e);
            }
        }
    }
}
