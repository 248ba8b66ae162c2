package io.dynrag.platform.crypto;

import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyEncryptionKeysTest {

    private static final String KEY_1 = Base64.getEncoder().encodeToString(new byte[32]);
    private static final String KEY_2 = Base64.getEncoder().encodeToString(filled(32, 7));

    @Test
    void theFirstKeyIsCurrentAndEveryKeyIsKept() {
        KeyEncryptionKeys keys = KeyEncryptionKeys.parse(" k2:" + KEY_2 + " , k1:" + KEY_1);

        assertThat(keys.currentId()).isEqualTo("k2");
        assertThat(keys.ids()).containsExactly("k2", "k1");
    }

    @Test
    void formatIsReadBackAsTheSameKeys() {
        KeyEncryptionKeys generated = KeyEncryptionKeys.generate("dev-1");

        KeyEncryptionKeys parsed = KeyEncryptionKeys.parse(generated.format());

        assertThat(parsed.currentId()).isEqualTo("dev-1");
        assertThat(parsed.current().getEncoded()).isEqualTo(generated.current().getEncoded());
    }

    @Test
    void generatedKeysAreRandom() {
        assertThat(KeyEncryptionKeys.generate("a").current().getEncoded())
                .isNotEqualTo(KeyEncryptionKeys.generate("a").current().getEncoded());
    }

    @Test
    void toStringNamesIdsButNoKeyMaterial() {
        KeyEncryptionKeys keys = KeyEncryptionKeys.parse("k2:" + KEY_2 + ",k1:" + KEY_1);

        assertThat(keys.toString()).contains("k2", "k1").doesNotContain(KEY_2).doesNotContain(KEY_1);
    }

    @Test
    void aMissingSettingSaysWhatIsExpected() {
        assertThatThrownBy(() -> KeyEncryptionKeys.parse("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("<id>:<base64 of 32 bytes>");
    }

    @Test
    void anEntryWithoutIdIsRefusedWithoutEchoingIt() {
        assertThatThrownBy(() -> KeyEncryptionKeys.parse("k1:" + KEY_1 + "," + KEY_2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entry 2")
                .hasMessageNotContaining(KEY_2);
    }

    @Test
    void anInvalidIdIsNotEchoedBecauseItMayBeKeyMaterial() {
        String reversed = KEY_2 + ":k2";

        assertThatThrownBy(() -> KeyEncryptionKeys.parse(reversed))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid id")
                .hasMessageNotContaining(KEY_2.substring(0, 8));
    }

    @Test
    void aKeyOfTheWrongLengthIsRefusedWithItsLengthOnly() {
        String shortKey = Base64.getEncoder().encodeToString(filled(16, 3));

        assertThatThrownBy(() -> KeyEncryptionKeys.parse("k1:" + shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key-encryption key 'k1' must be 32 bytes (256 bits) encoded in base64, but has 16 bytes");
    }

    @Test
    void invalidBase64IsRefused() {
        assertThatThrownBy(() -> KeyEncryptionKeys.parse("k1:not*base64!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key-encryption key 'k1' is not valid base64");
    }

    @Test
    void duplicateIdsAreRefused() {
        assertThatThrownBy(() -> KeyEncryptionKeys.parse("k1:" + KEY_1 + ",k1:" + KEY_2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key-encryption key id 'k1' appears more than once");
    }

    private static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
