package io.dynrag.platform.crypto;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The key-encryption keys (KEKs) from configuration: {@code <id>:<base64 of 32 bytes>[,<id>:<base64>...]}.
 * The first one seals new data; every listed key still opens what it sealed, so a key is rotated by putting
 * a new one in front and dropping the old one once nothing sealed with it remains.
 *
 * <p>Error messages and {@link #toString()} name key ids only, never key material, because both end up in
 * logs.
 */
public final class KeyEncryptionKeys {

    /** AES-256: the size of every key here and of the customers' data keys they wrap. */
    public static final int KEY_BYTES = 32;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");
    private static final String FORMAT = "<id>:<base64 of 32 bytes>[,<id>:<base64>...]";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SecretKey> keys;
    private final String currentId;

    private KeyEncryptionKeys(Map<String, SecretKey> keys) {
        this.keys = keys;
        this.currentId = keys.keySet().iterator().next();
    }

    public static KeyEncryptionKeys parse(String setting) {
        if (setting == null || setting.isBlank()) {
            throw new IllegalArgumentException("no key-encryption key configured: expected " + FORMAT);
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String[] entries = setting.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int colon = entry.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("key-encryption key entry " + (i + 1) + " is not of the form " + FORMAT);
            }
            String id = entry.substring(0, colon).strip();
            if (!ID.matcher(id).matches()) {
                // The id is not echoed: a misplaced separator could put key material there.
                throw new IllegalArgumentException("key-encryption key entry " + (i + 1)
                        + " has an invalid id: use 1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
            }
            if (keys.containsKey(id)) {
                throw new IllegalArgumentException("key-encryption key id '" + id + "' appears more than once");
            }
            keys.put(id, decodeKey(id, entry.substring(colon + 1).strip()));
        }
        return new KeyEncryptionKeys(keys);
    }

    /** A single fresh random key, for a development setup that writes its own key file. */
    public static KeyEncryptionKeys generate(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid key-encryption key id: use 1 to 32 letters, digits, '.', '_' or '-'");
        }
        byte[] material = new byte[KEY_BYTES];
        RANDOM.nextBytes(material);
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        keys.put(id, aesKey(material));
        return new KeyEncryptionKeys(keys);
    }

    /** The setting string that {@link #parse} reads back; it contains the key material, so treat it as a secret. */
    public String format() {
        return keys.entrySet().stream()
                .map(key -> key.getKey() + ":" + Base64.getEncoder().encodeToString(key.getValue().getEncoded()))
                .collect(Collectors.joining(","));
    }

    public String currentId() {
        return currentId;
    }

    /** Key ids, the current one first. */
    public List<String> ids() {
        return List.copyOf(keys.keySet());
    }

    SecretKey current() {
        return keys.get(currentId);
    }

    Optional<SecretKey> byId(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public String toString() {
        return "KeyEncryptionKeys[current=" + currentId + ", ids=" + keys.keySet() + "]";
    }

    private static SecretKey decodeKey(String id, String base64) {
        byte[] material;
        try {
            material = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key-encryption key '" + id + "' is not valid base64");
        }
        if (material.length != KEY_BYTES) {
            int length = material.length;
            Arrays.fill(material, (byte) 0);
            throw new IllegalArgumentException("key-encryption key '" + id + "' must be " + KEY_BYTES
                    + " bytes (256 bits) encoded in base64, but has " + length + " bytes");
        }
        return aesKey(material);
    }

    private static SecretKey aesKey(byte[] material) {
        SecretKey key = new SecretKeySpec(material, "AES");
        Arrays.fill(material, (byte) 0);
        return key;
    }
}
