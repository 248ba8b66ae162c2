package io.dynrag.platform.crypto;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyEncryptionTest {

    private static final byte[] SECRET = "sk-provider-key-123".getBytes(StandardCharsets.UTF_8);
    private static final String CONTEXT = "provider-key:customer-a";

    private final KeyEncryptionKeys oldKeys = KeyEncryptionKeys.generate("k1");
    private final KeyEncryption encryption = new KeyEncryption(oldKeys);

    @Test
    void opensWhatItSealed() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThat(encryption.open(sealed, CONTEXT)).isEqualTo(SECRET);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("sk-provider");
    }

    @Test
    void everySealUsesAFreshNonce() {
        assertThat(encryption.seal(SECRET, CONTEXT)).isNotEqualTo(encryption.seal(SECRET, CONTEXT));
    }

    @Test
    void theBlobNamesTheKeyThatSealedIt() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThat(encryption.keyIdOf(sealed)).isEqualTo("k1");
        assertThat(encryption.currentKeyId()).isEqualTo("k1");
    }

    @Test
    void aBlobDoesNotOpenInAnotherContext() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThatThrownBy(() -> encryption.open(sealed, "provider-key:customer-b"))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessageContaining("altered or belongs to another context");
    }

    @Test
    void flippingAnyBitOfNonceCiphertextOrTagIsDetected() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);
        int header = 2 + "k1".length();

        for (int position = header; position < sealed.length; position++) {
            byte[] tampered = sealed.clone();
            tampered[position] ^= 0x01;
            assertThatThrownBy(() -> encryption.open(tampered, CONTEXT))
                    .as("bit flipped at byte %d", position)
                    .isInstanceOf(DecryptionFailedException.class);
        }
    }

    @Test
    void theHeaderIsAuthenticatedToo() {
        String material = oldKeys.format().substring("k1:".length());
        KeyEncryption sameKeyTwoIds = new KeyEncryption(KeyEncryptionKeys.parse("ka:" + material + ",kb:" + material));
        byte[] sealed = sameKeyTwoIds.seal(SECRET, CONTEXT);
        sealed[3] = 'b';

        assertThat(sameKeyTwoIds.keyIdOf(sealed)).isEqualTo("kb");
        assertThatThrownBy(() -> sameKeyTwoIds.open(sealed, CONTEXT))
                .isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void aDifferentKeyWithTheSameIdDoesNotOpenIt() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThatThrownBy(() -> new KeyEncryption(KeyEncryptionKeys.generate("k1")).open(sealed, CONTEXT))
                .isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void afterRotationOldBlobsStillOpenAndNewOnesUseTheNewKey() {
        byte[] sealedBefore = encryption.seal(SECRET, CONTEXT);
        KeyEncryptionKeys rotated = KeyEncryptionKeys.parse(KeyEncryptionKeys.generate("k2").format() + "," + oldKeys.format());
        KeyEncryption afterRotation = new KeyEncryption(rotated);

        byte[] sealedAfter = afterRotation.seal(SECRET, CONTEXT);

        assertThat(afterRotation.open(sealedBefore, CONTEXT)).isEqualTo(SECRET);
        assertThat(afterRotation.keyIdOf(sealedAfter)).isEqualTo("k2");
        assertThat(afterRotation.open(sealedAfter, CONTEXT)).isEqualTo(SECRET);
    }

    @Test
    void aBlobOfADroppedKeyNamesTheMissingKey() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThatThrownBy(() -> new KeyEncryption(KeyEncryptionKeys.generate("k2")).open(sealed, CONTEXT))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessage("sealed with key-encryption key 'k1', which is not configured");
    }

    @Test
    void truncatedOrForeignDataIsRefused() {
        byte[] sealed = encryption.seal(SECRET, CONTEXT);

        assertThatThrownBy(() -> encryption.open(java.util.Arrays.copyOf(sealed, 20), CONTEXT))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessage("sealed data is truncated");
        assertThatThrownBy(() -> encryption.open(new byte[] {9, 2, 'k', '1'}, CONTEXT))
                .isInstanceOf(DecryptionFailedException.class)
                .hasMessageContaining("unknown format version 9");
        assertThatThrownBy(() -> encryption.open(new byte[0], CONTEXT))
                .isInstanceOf(DecryptionFailedException.class);
    }

    @Test
    void aContextIsRequired() {
        assertThatThrownBy(() -> encryption.seal(SECRET, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
