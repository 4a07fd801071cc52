package io.hasp.storage.etcd;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the values of secret records in etcd (credentials) with AES-GCM from the JDK, under the key of
 * {@code hasp.credentials.key} (32, 24 or 16 random bytes in base64, the same on every replica). A sealed value is
 * {@code "hgcm1" || 12-byte random nonce || ciphertext and 128-bit tag}; the key it is stored under is the
 * additional data, so a sealed value copied to another key does not open. Nothing of a value is readable without the
 * key, and a value changed or sealed under another key fails to open instead of yielding garbage.
 */
public final class Sealer {

    /** What an operator is told when the key is missing or unusable. */
    public static final String HOW_TO = "set hasp.credentials.key (HASP_CREDENTIALS_KEY) to 32 random bytes in "
            + "base64, the same on every replica; make one with: openssl rand -base64 32";

    private static final byte[] MAGIC = "hgcm1".getBytes(StandardCharsets.US_ASCII);
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private Sealer(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The sealer of {@code configured} (base64 of an AES key).
     *
     * @throws IllegalStateException naming the setting and how to make a key, when it is missing or not one
     */
    public static Sealer of(Optional<String> configured) {
        String text = configured.map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(
                () -> new IllegalStateException("hasp.backend=etcd stores credentials encrypted and needs a key: "
                        + HOW_TO));
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("hasp.credentials.key is not base64: " + HOW_TO);
        }
        if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
            throw new IllegalStateException("hasp.credentials.key must decode to 16, 24 or 32 bytes, not "
                    + bytes.length + ": " + HOW_TO);
        }
        return new Sealer(bytes);
    }

    /** {@code plain} sealed for the key named {@code where}. */
    public byte[] seal(byte[] where, byte[] plain) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(where);
            byte[] sealed = cipher.doFinal(plain);
            return ByteBuffer.allocate(MAGIC.length + NONCE_BYTES + sealed.length).put(MAGIC).put(nonce).put(sealed)
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by every Java platform", e);
        }
    }

    /**
     * The plain value of {@code sealed}, stored under the key named {@code where}.
     *
     * @throws SealedValueException when it is not sealed, was changed, or was sealed under another key or name
     */
    public byte[] open(byte[] where, byte[] sealed) {
        if (sealed.length < MAGIC.length + NONCE_BYTES + TAG_BITS / 8
                || !Arrays.equals(Arrays.copyOf(sealed, MAGIC.length), MAGIC)) {
            throw new SealedValueException("not a sealed value");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, MAGIC.length, NONCE_BYTES));
            cipher.updateAAD(where);
            return cipher.doFinal(sealed, MAGIC.length + NONCE_BYTES, sealed.length - MAGIC.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new SealedValueException("a sealed value does not open with hasp.credentials.key (another key, or "
                    + "changed)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is required by every Java platform", e);
        }
    }

    /** A stored value that cannot be opened; its message names no value. */
    public static final class SealedValueException extends RuntimeException {
        SealedValueException(String message) {
            super(message, null, false, false);
        }
    }
}
