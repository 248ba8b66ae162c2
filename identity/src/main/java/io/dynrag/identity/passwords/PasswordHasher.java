package io.dynrag.identity.passwords;

import com.password4j.Argon2Function;
import com.password4j.types.Argon2;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.concurrent.Semaphore;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=...,t=...,p=...$salt$hash}).
 *
 * <p>Parameters: 32 MiB, 2 passes, 1 lane, 16-byte salt, 32-byte hash; one hash takes about 100 ms on two
 * cores, above OWASP's minimum of 19 MiB and 2 passes. Every stored hash carries its own parameters, so
 * raising them later only needs {@link #needsRehash} on the next sign-in.
 *
 * <p>password4j is used through {@link Argon2Function} alone: its {@code Password} facade and the no-salt
 * overloads read {@code psw4j.properties} and warn when it is absent. The salt is ours. At most as many
 * hashes as there are processors run at once, because each one claims its full memory: a burst of sign-ins
 * waits instead of exhausting the heap.
 */
public final class PasswordHasher {

    static final int MEMORY_KIB = 32 * 1024;
    static final int ITERATIONS = 2;
    static final int PARALLELISM = 1;
    static final int HASH_BYTES = 32;
    static final int SALT_BYTES = 16;
    private static final String PREFIX = "$argon2id$";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Argon2Function argon2 = Argon2Function.getInstance(
            MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
    private final Semaphore running = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()), true);
    private final String dummyHash;

    public PasswordHasher() {
        byte[] unguessable = new byte[32];
        RANDOM.nextBytes(unguessable);
        this.dummyHash = hash(HexFormat.of().formatHex(unguessable));
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        running.acquireUninterruptibly();
        try {
            return argon2.hash(bytes(password), salt).getResult();
        } finally {
            running.release();
        }
    }

    /**
     * Checks the password against a stored hash with the parameters recorded in that hash. A hash that is
     * not Argon2id, or not a hash at all, matches nothing (and still costs the time of a real check).
     */
    public boolean verify(String password, String storedHash) {
        Argon2Function function = parametersOf(storedHash);
        if (function == null) {
            burnEquivalentTime(password);
            return false;
        }
        running.acquireUninterruptibly();
        try {
            // A function only checks hashes made with its own parameters, hence the one read from the hash.
            return function.check(bytes(password), storedHash.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException malformed) {
            return false;
        } finally {
            running.release();
        }
    }

    /**
     * Spends as long as {@link #verify} on a real hash, for sign-ins with an unknown email address: answering
     * those faster would tell an attacker which addresses have accounts.
     */
    public void burnEquivalentTime(String password) {
        running.acquireUninterruptibly();
        try {
            argon2.check(bytes(password), dummyHash.getBytes(StandardCharsets.UTF_8));
        } finally {
            running.release();
        }
    }

    /** The hash {@link #burnEquivalentTime} checks against: a real one, with the current parameters. */
    String dummyHash() {
        return dummyHash;
    }

    /** True when the hash was made with other parameters (or another algorithm) than new hashes get now. */
    public boolean needsRehash(String storedHash) {
        Argon2Function function = parametersOf(storedHash);
        return function == null
                || function.getMemory() != MEMORY_KIB
                || function.getIterations() != ITERATIONS
                || function.getParallelism() != PARALLELISM
                || function.getOutputLength() != HASH_BYTES
                || function.getVersion() != Argon2Function.ARGON2_VERSION_13;
    }

    private static Argon2Function parametersOf(String storedHash) {
        if (storedHash == null || !storedHash.startsWith(PREFIX)) {
            return null;
        }
        try {
            Argon2Function function = Argon2Function.getInstanceFromHash(storedHash);
            return function.getVariant() == Argon2.ID ? function : null;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    /** NFKC first (NIST SP 800-63B), so the same password typed on another keyboard or OS still matches. */
    private static byte[] bytes(String password) {
        if (password == null) {
            throw new IllegalArgumentException("a password is required");
        }
        return Normalizer.normalize(password, Normalizer.Form.NFKC).getBytes(StandardCharsets.UTF_8);
    }
}
